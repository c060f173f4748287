/** One measured figure of a benchmark suite. */
export interface BenchRow {
  /** Suite name, e.g. `text`. */
  suite: string;
  /** What was measured, e.g. `tokenize+encode movies_tmdb_small`. */
  name: string;
  /** The measured value. */
  value: number;
  /** Unit of `value`, e.g. `tokens/s`, `ms`, `ratio`. */
  unit: string;
  /** The target from the issue, written as text, e.g. `>= 3e6`. */
  target?: string;
  /** Whether the target was met; undefined when there is no target. */
  pass?: boolean;
  /** Free-form context: sizes, backend, caveats. */
  notes?: string;
}

/** A benchmark suite: measures and returns its rows. */
export type BenchSuite = () => Promise<BenchRow[]>;
