import { kernelsWasmBase64 } from './generated/kernels-wasm';
import { KERNEL_NAMES } from './kernel-exports';
import type { KernelExports } from './kernel-exports';

/** Bytes below this address belong to the kernels module (its constant tables); allocate above. */
export const KERNEL_RESERVED_BYTES = 65_536;

/** The largest shared memory the kernels module accepts, in 64 KiB pages (4 GiB). */
export const KERNEL_MAXIMUM_PAGES = 65_536;

let compiled: Promise<WebAssembly.Module> | undefined;

/** The kernels' bytes, decoded from the bundle (no file or fetch). */
function kernelBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(kernelsWasmBase64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Whether this runtime can run the kernels: WebAssembly with SIMD, threads (shared memory) and
 * `SharedArrayBuffer` (Node; browsers only when cross-origin isolated).
 */
export function kernelsSupported(): boolean {
  if (typeof WebAssembly !== 'object' || typeof SharedArrayBuffer !== 'function') return false;
  try {
    return WebAssembly.validate(kernelBytes());
  } catch {
    return false;
  }
}

/**
 * Compiles the kernels module once per process (asynchronously: browsers refuse large
 * synchronous compiles on the main thread).
 * @throws Error when this runtime lacks WebAssembly SIMD or shared memory.
 */
export function compileKernels(): Promise<WebAssembly.Module> {
  if (!compiled) {
    compiled = WebAssembly.compile(kernelBytes()).catch((error: unknown) => {
      compiled = undefined;
      throw new Error(
        `mars-rec kernels: this runtime cannot compile the WebAssembly SIMD kernels (${String(error)}); ` +
          'they need WebAssembly SIMD and threads (Node >= 20)',
      );
    });
  }
  return compiled;
}

/** A shared memory the kernels can work in, of `bytes` (rounded up to pages) growing up to 4 GiB. */
export function createKernelMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / 65_536));
  return new WebAssembly.Memory({ initial: pages, maximum: KERNEL_MAXIMUM_PAGES, shared: true });
}

/**
 * Instantiates the compiled kernels on a shared memory (asynchronously: browsers refuse large
 * synchronous instantiations on the main thread); each thread makes its own instance.
 */
export async function instantiateKernels(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const exports = instance.exports as unknown as KernelExports;
  for (const name of KERNEL_NAMES) {
    if (typeof exports[name] !== 'function')
      throw new Error(`mars-rec kernels: the kernels module lacks '${name}'; rebuild it (npm run build)`);
  }
  return exports;
}
