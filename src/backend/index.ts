/**
 * Backend selection at run time.
 * @packageDocumentation
 */
export { selectBackend } from './select-backend';
export type {
  BackendAttempt,
  BackendName,
  BackendPreference,
  BackendSelection,
  SelectBackendOptions,
} from './select-backend';
export { probeWebGpu } from './webgpu-adapter';
export type { WebGpuProbe } from './webgpu-adapter';
