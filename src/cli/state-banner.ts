import type { StateSummary, TokenSummary } from '../domain/state-summary.ts';

/** How many apps, WABAs, numbers and tokens the banner names before `… and N more`. */
export const BANNER_LIMIT = 10;

function capped(items: readonly string[], total: number): string {
  const more = total - items.length;
  return more > 0 ? `${items.join(', ')}, … and ${more} more` : items.join(', ');
}

function appName(token: TokenSummary): string {
  return token.app?.name ?? `app ${token.appId}`;
}

/** Enough of the stored hash to tell the tokens of one app apart. */
function hashed(token: TokenSummary): string {
  return `sha256 ${token.digest.slice(0, 12)}…`;
}

/**
 * The lines `phonegraph serve` prints after its first line when the demo's tokens are not in the database:
 * what the database holds, token values only where they are known, and a `try:` curl on a number the
 * printed token can read (`<token>` when no readable token's value is known).
 */
export function stateBanner(summary: StateSummary, url: string): string[] {
  const lines: string[] = [];
  const named = (items: readonly { id: string; name: string }[]): string =>
    capped(
      items.slice(0, BANNER_LIMIT).map((item) => `${item.id} (${item.name})`),
      items.length,
    );
  lines.push(`apps: ${summary.apps.length === 0 ? 'none' : named(summary.apps)}`);
  lines.push(`wabas: ${summary.wabas.length === 0 ? 'none' : named(summary.wabas)}`);
  const numbers = summary.numberCountCapped
    ? `numbers (${summary.numberCount}+): ${summary.numbers.join(', ')}, … and more`
    : `numbers (${summary.numberCount}): ${summary.numberCount === 0 ? 'none' : capped(summary.numbers, summary.numberCount)}`;
  lines.push(numbers);
  for (const token of summary.tokens.slice(0, BANNER_LIMIT)) {
    const shown = token.value ?? `stored hashed (${hashed(token)}), value not known here`;
    lines.push(`token (${appName(token)}): ${shown}${token.state === 'active' ? '' : ` [${token.state}]`}`);
  }
  if (summary.tokens.length > BANNER_LIMIT)
    lines.push(`… and ${summary.tokens.length - BANNER_LIMIT} more tokens`);
  if (summary.tokens.length === 0) lines.push('tokens: none');
  const readable = summary.readable;
  if (readable !== undefined) {
    const token = readable.token.value ?? '<token>';
    const note =
      readable.token.value === undefined
        ? `  # <token>: the ${appName(readable.token)} token ${hashed(readable.token)}`
        : '';
    lines.push(
      `try: curl -gs "${url}/v21.0/${readable.numberId}?fields=status,quality_score{score}&access_token=${token}"${note}`,
    );
  }
  return lines;
}
