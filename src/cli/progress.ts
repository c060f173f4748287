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

/**
 * Writes training progress: a redrawn bar on a terminal, plain log lines otherwise (about every
 * `logEverySeconds`), so logs of CI jobs stay readable.
 */
export class ProgressReporter {
  private lastLog = -Infinity;

  /**
   * @param stream - where to write (the CLI uses stderr so stdout stays clean for `--json`).
   * @param logEverySeconds - seconds between plain log lines when not on a terminal. Default 10 s.
   */
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly logEverySeconds = 10,
  ) {}

  /** Reports one update; the last call should have `step === totalSteps`. */
  update(progress: TrainingProgress): void {
    const fraction = progress.totalSteps > 0 ? progress.step / progress.totalSteps : 1;
    const remaining =
      progress.step > 0
        ? (progress.elapsedSeconds / progress.step) * (progress.totalSteps - progress.step)
        : NaN;
    const text =
      `step ${progress.step}/${progress.totalSteps}  loss ${progress.loss.toFixed(4)}  ` +
      `${progress.tripletsPerSecond.toFixed(1)} triplets/s  ETA ${formatSeconds(remaining)}`;
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
      if (progress.step >= progress.totalSteps) this.stream.write('\n');
      return;
    }
    const now = progress.elapsedSeconds;
    if (now - this.lastLog >= this.logEverySeconds || progress.step >= progress.totalSteps) {
      this.lastLog = now;
      this.stream.write(`${text}\n`);
    }
  }
}

/** `75` -> `1m15s`; NaN -> `?`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const rounded = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(rounded / 60);
  return minutes > 0 ? `${minutes}m${String(rounded % 60).padStart(2, '0')}s` : `${rounded}s`;
}
