/** Progress of a training run, as the CLI shows it. */
export interface TrainingProgress {
  /** Steps done. */
  step: number;
  /** Steps planned. */
  totalSteps: number;
  /** Mean loss over the recent steps. */
  loss: number;
  /** Training triplets per second so far (sampling + step). */
  tripletsPerSecond: number;
  /** Seconds spent training so far. */
  elapsedSeconds: number;
}

/** Progress of any other long task (evaluating users, exporting recommendations). */
export interface TaskProgress {
  /** Units done. */
  done: number;
  /** Units planned. */
  total: number;
  /** What a unit is, plural: `users`, `items`. */
  unit: string;
  /** Seconds since the task started. */
  elapsedSeconds: number;
}

/** Where progress goes: a writable text stream; `isTTY` decides between a bar and log lines. */
export interface ProgressStream {
  /** Writes text as it is. */
  write(text: string): unknown;
  /** True on an interactive terminal. */
  isTTY?: boolean;
}

/**
 * Writes progress: a redrawn bar on a terminal, plain log lines otherwise (the first update, then
 * about every `logEverySeconds`, and the last), so logs of CI jobs stay readable. Other lines go
 * through {@link ProgressReporter.log}, which clears the bar first and redraws it after, so a
 * line is never glued to the bar.
 */
export class ProgressReporter {
  private lastLog = -Infinity;
  /** The bar on the terminal's last line, redrawn after a log line; undefined when none. */
  private bar: string | undefined;

  /**
   * @param stream - where to write (the CLI uses stderr so stdout stays clean for `--json`).
   * @param logEverySeconds - seconds between plain log lines when not on a terminal. Default 10 s.
   */
  constructor(
    private readonly stream: ProgressStream,
    private readonly logEverySeconds = 10,
  ) {}

  /** Reports one training step; the last call should have `step === totalSteps`. */
  update(progress: TrainingProgress): void {
    const remaining = remainingSeconds(progress.step, progress.totalSteps, progress.elapsedSeconds);
    this.draw(
      progress.step,
      progress.totalSteps,
      progress.elapsedSeconds,
      `step ${progress.step}/${progress.totalSteps}  loss ${progress.loss.toFixed(4)}  ` +
        `${progress.tripletsPerSecond.toFixed(1)} triplets/s  ETA ${formatSeconds(remaining)}`,
    );
  }

  /** Reports progress of another task; the last call should have `done === total`. */
  advance(task: TaskProgress, label: string): void {
    const remaining = remainingSeconds(task.done, task.total, task.elapsedSeconds);
    this.draw(
      task.done,
      task.total,
      task.elapsedSeconds,
      `${label} ${task.done}/${task.total} ${task.unit}  ${formatSeconds(task.elapsedSeconds)}  ETA ${formatSeconds(remaining)}`,
    );
  }

  /** Writes a line of its own (a phase, a validation result): never on the bar's line. */
  log(line: string): void {
    if (this.bar !== undefined) this.stream.write('\r\x1b[K');
    this.stream.write(`${line}\n`);
    if (this.bar !== undefined) this.stream.write(this.bar);
  }

  private draw(done: number, total: number, elapsedSeconds: number, text: string): void {
    const finished = done >= total;
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round((total > 0 ? Math.min(1, done / total) : 1) * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
      this.stream.write(`\r${bar}\x1b[K`);
      if (finished) {
        this.stream.write('\n');
        this.bar = undefined;
      } else this.bar = `\r${bar}\x1b[K`;
      return;
    }
    if (elapsedSeconds - this.lastLog >= this.logEverySeconds || finished) {
      this.lastLog = elapsedSeconds;
      this.stream.write(`${text}\n`);
    }
  }
}

function remainingSeconds(done: number, total: number, elapsedSeconds: number): number {
  return done > 0 ? (elapsedSeconds / done) * (total - done) : NaN;
}

/** `75` -> `1m15s`; NaN -> `?`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const rounded = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(rounded / 60);
  return minutes > 0 ? `${minutes}m${String(rounded % 60).padStart(2, '0')}s` : `${rounded}s`;
}
