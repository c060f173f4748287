/**
 * The script each kernel worker thread runs (`new Worker(source, { eval: true })`): it
 * instantiates the kernels on the shared memory, then, each time the generation counter moves,
 * runs its own list of kernel calls from the job table and counts itself done. Kept as a string
 * so the package ships no extra file to locate at run time. The control words are those of
 * {@link CONTROL}.
 * @internal
 */
export const KERNEL_WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, jobs, thread, capacity, names } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const kernels = names.map((name) => instance.exports[name]);
const words = new Int32Array(control);
const table = new Float64Array(jobs);
let generation = Atomics.load(words, 0);
parentPort.postMessage('ready');
for (;;) {
  Atomics.wait(words, 0, generation);
  generation = Atomics.load(words, 0);
  if (Atomics.load(words, 1) === 1) break;
  let at = thread * capacity;
  try {
    while (table[at] >= 0) {
      const count = table[at + 1];
      kernels[table[at]](...table.subarray(at + 2, at + 2 + count));
      at += 2 + count;
    }
  } catch (error) {
    Atomics.store(words, 3, thread + 1);
    parentPort.postMessage(String(error && error.stack ? error.stack : error));
  }
  Atomics.add(words, 2, 1);
  Atomics.notify(words, 2);
}
`;

/** Indices of the control words shared with the workers. @internal */
export const CONTROL = {
  /** Bumped by the main thread to start a round. */
  generation: 0,
  /** 1 asks the workers to exit. */
  quit: 1,
  /** Workers done with the current round. */
  done: 2,
  /** 0, or 1 + the index of a worker whose kernel failed. */
  failed: 3,
} as const;
