// Runs the PyTorch reference (../shared/reference/mars_ref.py, beside the repository) from the
// benchmarks, side by side with mars-rec. Its code is never copied here: it is a yardstick run as
// a separate process, and benchmarks skip it with a message when python3-torch is absent.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const python = process.env.MARS_REFERENCE_PYTHON ?? '/usr/bin/python3';

/** The reference script, or undefined when ../shared/reference is absent. */
export function referenceScript(): string | undefined {
  const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const script = resolve(repositoryRoot, '../shared/reference/mars_ref.py');
  return existsSync(script) ? script : undefined;
}

/** Why the reference cannot run here, or undefined when it can. */
export function referenceUnavailable(): string | undefined {
  if (!referenceScript()) return 'no ../shared/reference/mars_ref.py beside the repository';
  const probe = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    return `${python} cannot import torch and numpy (apt-get install python3-torch python3-numpy)`;
  return undefined;
}

/** One training run of the reference. */
export interface ReferenceRun {
  /** Triplets per second over its training loop (its own timer: no loading, no evaluation). */
  tripletsPerSecond: number;
  /** Seconds of its training loop. */
  trainSeconds: number;
  /** Its process's CPU seconds (user + system) over wall seconds, loading included. */
  cores: number;
}

/** Options of {@link runReference}. */
export interface ReferenceOptions {
  /** The dataset folder (items.jsonl, interactions.csv). */
  data: string;
  /** Training steps. */
  steps: number;
  /** Triplets per step. */
  batch: number;
  /** torch threads. */
  threads: number;
  /** Keep ratings >= this as positives (omit for datasets without ratings). */
  minRating?: number;
  /** Seed. Default 1. */
  seed?: number;
}

/** Trains the reference MARS for `steps` steps (no evaluation) and reads its throughput. */
export async function runReference(options: ReferenceOptions): Promise<ReferenceRun> {
  const script = referenceScript();
  if (!script) throw new Error('runReference: ../shared/reference/mars_ref.py is absent');
  const folder = mkdtempSync(join(tmpdir(), 'mars-reference-'));
  const out = join(folder, 'result.json');
  // a wrapper prints the process's CPU seconds at exit (the reference itself runs unchanged)
  const wrapper =
    'import atexit, resource, runpy, sys\n' +
    "atexit.register(lambda: print('REFERENCE_CPU_SECONDS', sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), flush=True))\n" +
    'sys.argv = sys.argv[1:]\n' +
    "runpy.run_path(sys.argv[0], run_name='__main__')";
  const args = [
    '-c',
    wrapper,
    script,
    '--data',
    options.data,
    '--model',
    'mars',
    '--steps',
    String(options.steps),
    '--batch',
    String(options.batch),
    '--threads',
    String(options.threads),
    '--seed',
    String(options.seed ?? 1),
    '--no-eval',
    '--log-every',
    String(options.steps),
    '--out',
    out,
    ...(options.minRating === undefined ? [] : ['--min-rating', String(options.minRating)]),
  ];
  const started = performance.now();
  const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const status = await new Promise<number>((done) => child.on('close', (code) => done(code ?? 1)));
  const wall = (performance.now() - started) / 1000;
  try {
    if (status !== 0) throw new Error(`runReference: exit ${status}\n${output.slice(-2000)}`);
    const result = JSON.parse(readFileSync(out, 'utf8')) as {
      train: { triplets_per_sec: number; train_seconds: number };
    };
    const cpu = /REFERENCE_CPU_SECONDS ([0-9.]+)/.exec(output);
    return {
      tripletsPerSecond: result.train.triplets_per_sec,
      trainSeconds: result.train.train_seconds,
      cores: cpu ? Number(cpu[1]) / wall : NaN,
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
