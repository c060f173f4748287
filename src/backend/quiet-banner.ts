import * as tf from '@tensorflow/tfjs-core';

/**
 * In Node, tfjs-backend-cpu prints a banner ("Hi, looks like you are running TensorFlow.js in
 * Node.js ... install our node backend") on the first tensor it stores. {@link selectBackend}
 * says the same in its reason (what it skipped and what to install), so it marks the banner as
 * shown. Does nothing when the cpu backend is not registered or no longer has the flag.
 */
export function muteCpuBackendBanner(): void {
  if (!tf.findBackendFactory('cpu')) return;
  const backend = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (backend && typeof backend.firstUse === 'boolean') backend.firstUse = false;
}
