import type { LoadProgress } from '../domain/scenario/stream-load-scenario.ts';

/** Where a bulk load reports: stderr, drawn over in place on a terminal. */
export interface ProgressOutput {
  readonly isTTY: boolean;
  /** Terminal width; the bar shrinks to fit. */
  readonly columns: number;
  write(text: string): void;
}

const REDRAW_EVERY_MS = 100;
const BAR_WIDTH = 24;

const count = new Intl.NumberFormat('en-US');

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `1m 05s`, or `42 s` under a minute. */
function eta(ms: number): string {
  const total = Math.ceil(ms / 1000);
  return total < 60 ? `${total} s` : `${Math.floor(total / 60)}m ${String(total % 60).padStart(2, '0')}s`;
}

function rate(numbers: number, ms: number): number {
  return ms <= 0 ? 0 : Math.round((numbers * 1000) / ms);
}

/**
 * The progress of a bulk scenario load: on a terminal a bar redrawn in place (numbers loaded,
 * numbers/s, ETA from the bytes read), otherwise (CI, a log file) nothing until one summary line.
 */
export class LoadProgressReporter {
  readonly #out: ProgressOutput;
  readonly #file: string;
  readonly #now: () => number;
  readonly #started: number;
  #lastDraw = -Infinity;
  #drawn = false;

  constructor(out: ProgressOutput, file: string, now: () => number = () => performance.now()) {
    this.#out = out;
    this.#file = file;
    this.#now = now;
    this.#started = now();
  }

  update(progress: LoadProgress): void {
    if (!this.#out.isTTY) return;
    const now = this.#now();
    if (now - this.#lastDraw < REDRAW_EVERY_MS) return;
    this.#lastDraw = now;
    this.#out.write(`\r${this.#bar(progress, now - this.#started)}\u001b[K`);
    this.#drawn = true;
  }

  #bar(progress: LoadProgress, elapsed: number): string {
    const fraction = progress.totalBytes === 0 ? 1 : Math.min(1, progress.bytesRead / progress.totalBytes);
    const filled = Math.round(fraction * BAR_WIDTH);
    const remaining = fraction === 0 ? undefined : elapsed * (1 / fraction - 1);
    const line =
      `loading [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(fraction * 100)}% ` +
      `${count.format(progress.numbers)} numbers, ${count.format(rate(progress.numbers, elapsed))}/s, ` +
      `ETA ${remaining === undefined ? '?' : eta(remaining)}`;
    return line.slice(0, Math.max(20, this.#out.columns - 1));
  }

  /** The one line a load leaves: `loaded N numbers from FILE in S s (R numbers/s)`. */
  finish(numbers: number): void {
    const elapsed = this.#now() - this.#started;
    const clear = this.#drawn ? '\r\u001b[K' : '';
    this.#out.write(
      `${clear}loaded ${count.format(numbers)} numbers from ${this.#file} in ${seconds(elapsed)} ` +
        `(${count.format(rate(numbers, elapsed))} numbers/s)\n`,
    );
  }
}
