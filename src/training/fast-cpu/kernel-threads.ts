import { KERNEL_NAMES } from '../../kernels/kernel-exports';
import type { KernelExports, KernelName } from '../../kernels/kernel-exports';
import { CONTROL, KERNEL_WORKER_SOURCE } from './worker-source';

/** One kernel call: the kernel's name and its arguments (addresses, sizes, scalars). */
export interface KernelJob {
  /** Which kernel. */
  kernel: KernelName;
  /** Its arguments, in order. */
  args: number[];
}

/** Doubles per thread in the job table: room for a round's calls. */
const JOB_CAPACITY = 4096;

interface NodeWorker {
  postMessage(value: unknown): void;
  on(event: 'message', listener: (value: unknown) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  once(event: 'message', listener: (value: unknown) => void): void;
  once(event: 'error', listener: (error: Error) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

/**
 * Runs rounds of kernel calls on `threads` threads over one shared memory: the calling (main)
 * thread is thread 0 and `threads - 1` worker_threads are the others. Each round, every thread
 * runs its own list of calls and the main thread returns when all have finished (a barrier).
 * The split of the work is the caller's, so results depend only on the thread count.
 * With one thread no worker is started (and worker_threads is never imported).
 */
export class KernelThreads {
  private readonly control: Int32Array;
  private readonly table: Float64Array;
  private lastMessage = '';
  private closed = false;

  private constructor(
    /** Threads, the calling one included. */
    readonly threads: number,
    private readonly kernels: KernelExports,
    private readonly workers: NodeWorker[],
    control: SharedArrayBuffer,
    jobs: SharedArrayBuffer,
  ) {
    this.control = new Int32Array(control);
    this.table = new Float64Array(jobs);
    for (const worker of workers)
      worker.on('message', (message) => {
        if (message !== 'ready') this.lastMessage = String(message);
      });
  }

  /**
   * Starts the workers (Node's worker_threads) on `memory` and waits until each has
   * instantiated the kernels.
   * @param kernels - the main thread's instance on the same memory.
   */
  static async start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    kernels: KernelExports,
    threads: number,
  ): Promise<KernelThreads> {
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`KernelThreads: threads must be a positive integer, got ${threads}`);
    const control = new SharedArrayBuffer(16);
    const jobs = new SharedArrayBuffer(threads * JOB_CAPACITY * 8);
    const workers: NodeWorker[] = [];
    if (threads > 1) {
      const { Worker } = (await import('node:worker_threads')) as unknown as {
        Worker: new (source: string, options: object) => NodeWorker;
      };
      try {
        for (let thread = 1; thread < threads; thread++) {
          const worker = new Worker(KERNEL_WORKER_SOURCE, {
            eval: true,
            workerData: {
              module,
              memory,
              control,
              jobs,
              thread,
              capacity: JOB_CAPACITY,
              names: KERNEL_NAMES,
            },
          });
          workers.push(worker);
          await new Promise<void>((resolve, reject) => {
            worker.once('message', () => resolve());
            worker.once('error', reject);
          });
          worker.unref(); // an unclosed pool never keeps the process alive
        }
      } catch (error) {
        await Promise.all(workers.map((worker) => worker.terminate()));
        throw new Error(`KernelThreads: a worker thread failed to start: ${String(error)}`);
      }
    }
    return new KernelThreads(threads, kernels, workers, control, jobs);
  }

  /**
   * Runs one round: `jobs[t]` on thread t (the caller runs `jobs[0]`), and returns when every
   * thread has finished. Missing entries are empty lists.
   * @returns the value the last of the caller's calls returned.
   */
  run(jobs: readonly (readonly KernelJob[])[]): number {
    if (this.closed) throw new Error('KernelThreads: used after close()');
    for (let thread = 1; thread < this.threads; thread++) this.write(thread, jobs[thread] ?? []);
    const workers = this.threads - 1;
    if (workers > 0) {
      Atomics.store(this.control, CONTROL.done, 0);
      Atomics.add(this.control, CONTROL.generation, 1);
      Atomics.notify(this.control, CONTROL.generation);
    }
    let result = 0;
    let failure: unknown;
    try {
      for (const job of jobs[0] ?? [])
        result = (this.kernels[job.kernel] as (...args: number[]) => number)(...job.args);
    } catch (error) {
      failure = error;
    }
    if (workers > 0) {
      for (;;) {
        const done = Atomics.load(this.control, CONTROL.done);
        if (done >= workers) break;
        Atomics.wait(this.control, CONTROL.done, done);
      }
    }
    const failed = Atomics.exchange(this.control, CONTROL.failed, 0);
    if (failure !== undefined) throw failure;
    if (failed > 0)
      throw new Error(`KernelThreads: a kernel failed on thread ${failed - 1}: ${this.lastMessage}`);
    return result;
  }

  /** Stops the workers; the pool cannot run afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.workers.length === 0) return;
    Atomics.store(this.control, CONTROL.quit, 1);
    Atomics.add(this.control, CONTROL.generation, 1);
    Atomics.notify(this.control, CONTROL.generation);
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private write(thread: number, jobs: readonly KernelJob[]): void {
    let at = thread * JOB_CAPACITY;
    const end = at + JOB_CAPACITY - 1;
    for (const job of jobs) {
      if (at + 2 + job.args.length >= end)
        throw new RangeError(
          `KernelThreads: more calls in one round than the job table holds (thread ${thread})`,
        );
      this.table[at] = KERNEL_NAMES.indexOf(job.kernel);
      this.table[at + 1] = job.args.length;
      this.table.set(job.args, at + 2);
      at += 2 + job.args.length;
    }
    this.table[at] = -1;
  }
}
