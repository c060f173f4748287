// WebAssembly SIMD kernels of mars-rec's fast CPU training step (entry of the kernel build).
// Every argument is a byte address in the shared memory or a size; nothing here allocates.
export { projectWords, layOutKernel } from './projection';
export { maxPoolForward, maxPoolBackward } from './max-pool';
export { denseForward, denseBackward } from './dense';
export { attentionBprLoss } from './attention-loss';
export { adam, lazyAdam, lazyAdamRows, sgd, sgdRows } from './optimizers';
export {
  sumRowsInto,
  sumInto,
  sumKernelGradient,
  zeroRowsInRange,
  zeroListedRows,
  zeroBytes,
} from './reduce';
