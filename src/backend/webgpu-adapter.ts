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

/** Dawn's `navigator.gpu` stand-in in Node, created once, and only where the probe found an adapter. */
let dawn: { gpu: GpuLike; globals: Record<string, unknown> } | undefined;

/** What a child process found: the adapter (or none), and what Dawn wrote to its stderr. */
interface ChildProbe {
  adapter: GpuAdapterLike | null;
  stderr: string;
}

/** The child's script: asks Dawn for the adapter tfjs-backend-webgpu asks for, prints it as JSON. */
const childProbeScript = `
const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const info = adapter?.info ?? {};
process.stdout.write(JSON.stringify(adapter ? { adapter: {
  isFallbackAdapter: adapter.isFallbackAdapter,
  info: { vendor: info.vendor, architecture: info.architecture, device: info.device,
          description: info.description, isFallbackAdapter: info.isFallbackAdapter } } } : { adapter: null }));
process.exit(0);`;

let childProbe: Promise<ChildProbe | { reason: string }> | undefined;

/**
 * Asks Dawn for an adapter in a child process, once per process. Dawn writes its native warnings
 * (\`Couldn't load Vulkan\`, limits it reduced) straight to file descriptor 2, where no JavaScript
 * can catch them; in a child they land in a pipe, and only what the adapter is comes back.
 */
function probeDawnInChild(): Promise<ChildProbe | { reason: string }> {
  childProbe ??= (async () => {
    const loaded = await importOptional<DawnModule>('webgpu');
    if (!('module' in loaded)) {
      return {
        reason: loaded.missing
          ? 'the `webgpu` package (Dawn for Node) is not installed: npm install @tensorflow/tfjs-backend-webgpu webgpu'
          : `the \`webgpu\` package failed to load: ${loaded.message}`,
      };
    }
    const { createRequire } = await import('node:module');
    const { pathToFileURL } = await import('node:url');
    const { execFile } = await import('node:child_process');
    const entry = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
    return new Promise<ChildProbe | { reason: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', childProbeScript, entry],
        { timeout: 60_000, maxBuffer: 1 << 20 },
        (error, stdout, stderr) => {
          try {
            const { adapter } = JSON.parse(stdout) as { adapter: GpuAdapterLike | null };
            resolve({ adapter, stderr });
          } catch {
            resolve({
              reason: `probing Dawn in a child process failed: ${firstLine(stderr) || (error?.message ?? 'no output')}`,
            });
          }
        },
      );
    });
  })();
  return childProbe;
}

/** The first line of Dawn's output that says something, without its "Warning: " prefix. */
function firstLine(text: string): string {
  const line = text
    .split('\n')
    .map((part) => part.trim())
    .find((part) => part !== '' && !part.startsWith('at '));
  return (line ?? '').replace(/^warning:\s*/i, '');
}

/** `navigator.gpu` where it exists (a browser, or one set up already). */
function existingGpu(): GpuLike | undefined {
  return (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
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
 * Looks for a WebGPU adapter without activating any backend: `navigator.gpu` in a browser (or
 * where it is set up already); in Node, Dawn from the optional `webgpu` package, which needs a
 * Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver. In Node, Dawn is asked in a child
 * process (once per process, about a second), so its native warnings never reach this process's
 * stderr. Changes no global state.
 */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = existingGpu();
  if (gpu)
    return probeAdapter(() => gpu.requestAdapter({ powerPreference: 'high-performance' }), 'navigator.gpu');
  if (currentRuntime() === 'browser')
    return unavailable('this browser has no navigator.gpu (WebGPU disabled)');
  const child = await probeDawnInChild();
  if ('reason' in child) return unavailable(child.reason);
  const source = 'the `webgpu` package (Dawn)';
  if (!child.adapter) {
    const said = firstLine(child.stderr);
    return unavailable(
      `${source} found no adapter${said ? ` (Dawn: ${said})` : ''}: install a Vulkan driver Dawn accepts ` +
        '(on Debian 12: mesa-vulkan-drivers from bookworm-backports) or use a machine with a GPU',
    );
  }
  return { available: true, ...describeAdapter(child.adapter), reason: `adapter from ${source}` };
}

function unavailable(reason: string): WebGpuProbe {
  return { available: false, fallback: false, description: '', reason };
}

async function probeAdapter(
  request: () => Promise<GpuAdapterLike | null>,
  source: string,
): Promise<WebGpuProbe> {
  let adapter: GpuAdapterLike | null;
  try {
    // the adapter @tensorflow/tfjs-backend-webgpu asks for
    adapter = await request();
  } catch (error) {
    return unavailable(`requesting a WebGPU adapter failed: ${(error as Error).message}`);
  }
  if (!adapter) return unavailable(`${source} found no adapter (no GPU, or WebGPU blocked for this GPU)`);
  return { available: true, ...describeAdapter(adapter), reason: `adapter from ${source}` };
}

/**
 * In Node, starts Dawn in this process (after {@link probeWebGpu} found an adapter), so that
 * {@link installWebGpuGlobals} can expose it. Does nothing where `navigator.gpu` exists.
 */
export async function startDawn(): Promise<void> {
  if (dawn || existingGpu() || currentRuntime() === 'browser') return;
  const loaded = await importOptional<DawnModule>('webgpu');
  if (!('module' in loaded)) throw new Error(`the \`webgpu\` package failed to load: ${loaded.message}`);
  dawn = { gpu: loaded.module.create([]), globals: loaded.module.globals };
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
