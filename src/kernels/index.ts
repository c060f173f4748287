export type { KernelExports, KernelName } from './kernel-exports';
export { KERNEL_NAMES } from './kernel-exports';
export {
  compileKernels,
  createKernelMemory,
  instantiateKernels,
  kernelsSupported,
  KERNEL_MAXIMUM_PAGES,
  KERNEL_RESERVED_BYTES,
} from './load-kernels';
