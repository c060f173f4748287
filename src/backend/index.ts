/**
 * Backend selection at run time.
 * @packageDocumentation
 */
export { selectBackend, TFJS_WASM_FILES } from './select-backend';
export type {
  BackendAttempt,
  BackendName,
  BackendPreference,
  BackendSelection,
  SelectBackendOptions,
  TfjsWasmFile,
} from './select-backend';
export { probeWebGpu } from './webgpu-adapter';
export type { WebGpuProbe } from './webgpu-adapter';
