import { currentRuntime, importOptional } from './runtime';

/** The parts of a WebGPU `GPUAdapterInfo` this library reads. */
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** The parts of a WebGPU `GPUAdapter` this library reads. */
interface GpuAdapterLike {
  /** Older spelling; newer implementations report it in `info`. */
  isFallbackAdapter?: boolean;
  info?: GpuAdapterInfoLike;
}

/** The parts of `navigator.gpu` this library calls. */
interface GpuLike {
  requestAdapter(options?: {
    powerPreference?: 'low-power' | 'high-performance';
  }): Promise<GpuAdapterLike | null>;
}

/** The `webgpu` npm package (Dawn for Node). */
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** What {@link probeWebGpu} found. */
export interface WebGpuProbe {
  /** Whether a WebGPU adapter exists here. */
  available: boolean;
  /**
   * Whether the adapter is a software or fallback one (lavapipe/llvmpipe, SwiftShader, WARP):
   * correct, but slower than the wasm backend, so `selectBackend('auto')` never picks it.
   */
  fallback: boolean;
  /** The adapter as its driver names it, e.g. `'mesa software: llvmpipe: Mesa 25.0.7'`; empty if none. */
  description: string;
  /** Why no adapter is available, or where the adapter came from. */
  reason: string;
}

/** Dawn's `navigator.gpu` stand-in in Node, created once. */
let dawn: { gpu: GpuLike; globals: Record<string, unknown> } | undefined;

/** `navigator.gpu` where it exists, else (in Node) a Dawn instance from the `webgpu` package. */
async function findGpu(): Promise<{ gpu: GpuLike; source: string } | { reason: string }> {
  const existing = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (existing) return { gpu: existing, source: 'navigator.gpu' };
  if (currentRuntime() === 'browser')
    return { reason: 'this browser has no navigator.gpu (WebGPU disabled)' };
  if (!dawn) {
    const loaded = await importOptional<DawnModule>('webgpu');
    if (!('module' in loaded)) {
      return {
        reason: loaded.missing
          ? 'the `webgpu` package (Dawn for Node) is not installed: npm install @tensorflow/tfjs-backend-webgpu webgpu'
          : `the \`webgpu\` package failed to load: ${loaded.message}`,
      };
    }
    dawn = { gpu: loaded.module.create([]), globals: loaded.module.globals };
  }
  return { gpu: dawn.gpu, source: 'the `webgpu` package (Dawn)' };
}

function describeAdapter(adapter: GpuAdapterLike): { fallback: boolean; description: string } {
  const info = adapter.info ?? {};
  const description = [info.vendor, info.architecture, info.description || info.device]
    .filter((part) => part)
    .join(' ');
  const software = /swiftshader|llvmpipe|lavapipe|microsoft basic render|\bwarp\b/i.test(
    `${info.device ?? ''} ${info.description ?? ''}`,
  );
  const fallback =
    adapter.isFallbackAdapter === true ||
    info.isFallbackAdapter === true ||
    info.architecture === 'software' ||
    software;
  return { fallback, description: description || 'unnamed adapter' };
}

/**
 * Looks for a WebGPU adapter without activating any backend: `navigator.gpu` in a browser; in
 * Node, Dawn from the optional `webgpu` package, which needs a Vulkan (Linux), Metal (macOS) or
 * D3D12 (Windows) driver. Changes no global state.
 */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const found = await findGpu();
  if ('reason' in found) return { available: false, fallback: false, description: '', reason: found.reason };
  let adapter: GpuAdapterLike | null;
  try {
    // the adapter @tensorflow/tfjs-backend-webgpu asks for
    adapter = await found.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return {
      available: false,
      fallback: false,
      description: '',
      reason: `requesting a WebGPU adapter failed: ${(error as Error).message}`,
    };
  }
  if (!adapter) {
    return {
      available: false,
      fallback: false,
      description: '',
      reason:
        currentRuntime() === 'node'
          ? `${found.source} found no adapter: install a Vulkan driver Dawn accepts (on Debian 12: ` +
            'mesa-vulkan-drivers from bookworm-backports) or use a machine with a GPU'
          : 'navigator.gpu found no adapter (no GPU, or WebGPU blocked for this GPU)',
    };
  }
  const { fallback, description } = describeAdapter(adapter);
  return { available: true, fallback, description, reason: `adapter from ${found.source}` };
}

/**
 * Makes Dawn Node's `navigator.gpu` and WebGPU globals (`GPUBufferUsage`, ...) visible before
 * `@tensorflow/tfjs-backend-webgpu` is imported: it registers itself only if `navigator.gpu`
 * exists then. Node 21+ has a read-only built-in `navigator`, so the property is defined, not
 * assigned. Does nothing in a browser or when `navigator.gpu` already exists.
 */
export function installWebGpuGlobals(): void {
  if (!dawn) return;
  const scope = globalThis as Record<string, unknown> & { navigator?: { gpu?: GpuLike } };
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in scope)) scope[name] = value;
  }
  if (scope.navigator?.gpu) return;
  if (scope.navigator) {
    Object.defineProperty(scope.navigator, 'gpu', { value: dawn.gpu, configurable: true, enumerable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu: dawn.gpu },
      configurable: true,
      enumerable: true,
      writable: true,
    });
  }
}
