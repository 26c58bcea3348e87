import type { FaultRuleRecord } from '../records.ts';
import type { Query, Row } from './database.ts';

function faultRuleFromRow(row: Row): FaultRuleRecord {
  return {
    id: String(row.id),
    rule: String(row.rule),
    remaining: row.remaining === null ? null : Number(row.remaining),
    matched: Number(row.matched),
  };
}

/** Ids are bigint identities: anything else names no rule (and must not reach a bigint parameter). */
const RULE_ID = /^\d{1,15}$/;

export async function listFaultRules(query: Query): Promise<FaultRuleRecord[]> {
  return (await query('SELECT * FROM fault_rules ORDER BY id')).map(faultRuleFromRow);
}

export async function addFaultRule(
  query: Query,
  rule: string,
  times: number | null,
): Promise<FaultRuleRecord> {
  const [row] = await query('INSERT INTO fault_rules (rule, remaining) VALUES ($1, $2) RETURNING *', [
    rule,
    times,
  ]);
  return faultRuleFromRow(row!);
}

export async function deleteFaultRule(query: Query, id: string): Promise<boolean> {
  if (!RULE_ID.test(id)) return false;
  return (await query('DELETE FROM fault_rules WHERE id = $1 RETURNING id', [id])).length > 0;
}

/** One use, atomically: concurrent instances can never spend more than `times` between them. */
export async function useFaultRule(query: Query, id: string): Promise<FaultRuleRecord | undefined> {
  if (!RULE_ID.test(id)) return undefined;
  const [row] = await query(
    `UPDATE fault_rules SET remaining = remaining - 1, matched = matched + 1
     WHERE id = $1 AND (remaining IS NULL OR remaining > 0) RETURNING *`,
    [id],
  );
  return row && faultRuleFromRow(row);
}
