import * as tf from '@tensorflow/tfjs-core';

/**
 * Whether the active backend keeps tensors in CPU memory (`cpu`, `wasm`), where reading a
 * tensor is a copy and a tight typed-array loop beats kernels that wasm implements slowly
 * (GatherV2 moves one element at a time). On GPU backends the ops stay on the device.
 */
export function onHostBackend(): boolean {
  if (hostKernels !== 'auto') return hostKernels;
  const backend = tf.getBackend();
  return backend === 'cpu' || backend === 'wasm';
}

let hostKernels: boolean | 'auto' = 'auto';

/**
 * Forces the host (typed-array) kernels on or off, or back to `'auto'` (on for `cpu` and
 * `wasm`). For tests that compare the two paths on one backend; not part of the public API.
 * @internal
 */
export function setHostKernels(mode: boolean | 'auto'): void {
  hostKernels = mode;
}
