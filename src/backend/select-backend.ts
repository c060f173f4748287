import * as tf from '@tensorflow/tfjs-core';
import { currentRuntime, importOptional } from './runtime';
import type { Runtime } from './runtime';
import { muteCpuBackendBanner } from './quiet-banner';
import { isSoftwareRenderer, webGlRenderer } from './webgl-renderer';
import { installWebGpuGlobals, probeWebGpu, startDawn } from './webgpu-adapter';

/** A TensorFlow.js backend this library knows how to start. */
export type BackendName = 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/**
 * The WebAssembly binaries of `@tensorflow/tfjs-backend-wasm` (in its `dist/` folder): a browser
 * app serves them and says where with {@link SelectBackendOptions.wasmPaths}. The backend
 * fetches the one the browser supports (SIMD, threads).
 */
export const TFJS_WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
] as const;

/** One of {@link TFJS_WASM_FILES}. */
export type TfjsWasmFile = (typeof TFJS_WASM_FILES)[number];

/** A backend preference: a name, or `'auto'` for the fastest one that works here. */
export type BackendPreference = 'auto' | BackendName;

/** One backend that was tried. */
export interface BackendAttempt {
  /** Backend name. */
  name: string;
  /** Whether it started. */
  ok: boolean;
  /** Why it was picked or skipped. */
  reason: string;
}

/** What {@link selectBackend} chose and why. */
export interface BackendSelection {
  /** The backend now active. */
  name: string;
  /** Why it was chosen. */
  reason: string;
  /** Every backend tried, in order. */
  tried: BackendAttempt[];
  /** The device behind it where known: the WebGPU adapter or the WebGL renderer. */
  device?: string;
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * Where the wasm backend fetches its `.wasm` files, passed to `setWasmPaths` of
   * `@tensorflow/tfjs-backend-wasm`: a URL prefix ending in `/` under which the three files of
   * {@link TFJS_WASM_FILES} are served, or a URL per file name (what a bundler gives for an
   * imported asset). Needed in a bundled browser app, not in Node. With Vite:
   *
   * ```ts
   * import wasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
   * import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
   * import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
   *
   * await selectBackend('auto', {
   *   wasmPaths: {
   *     'tfjs-backend-wasm.wasm': wasm,
   *     'tfjs-backend-wasm-simd.wasm': wasmSimd,
   *     'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
   *   },
   * });
   * ```
   */
  wasmPaths?: string | Partial<Record<TfjsWasmFile, string>>;
  /**
   * Let `'auto'` pick a software WebGPU adapter (lavapipe, SwiftShader: `isFallbackAdapter`) or a
   * software WebGL renderer. Default false: those are slower than wasm. Asking for `'webgpu'` or
   * `'webgl'` by name always accepts them.
   */
  allowSoftwareGpu?: boolean;
}

/** The order `'auto'` tries backends in, fastest first. */
const autoOrder: Record<Runtime, BackendName[]> = {
  node: ['tensorflow', 'webgpu', 'wasm', 'cpu'],
  browser: ['webgpu', 'webgl', 'wasm', 'cpu'],
};

const optionalPackages: Record<'tensorflow' | 'webgpu' | 'webgl', string[]> = {
  tensorflow: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'],
  webgpu: ['@tensorflow/tfjs-backend-webgpu'],
  webgl: ['@tensorflow/tfjs-backend-webgl'],
};

function installHint(name: BackendName, runtime: Runtime): string {
  const bundled = runtime === 'browser' ? ' and import it in your app before calling selectBackend' : '';
  switch (name) {
    case 'tensorflow':
      return 'npm install @tensorflow/tfjs-node-gpu (CUDA 11.2 + cuDNN 8.1) or @tensorflow/tfjs-node (CPU)';
    case 'webgpu':
      return runtime === 'node'
        ? 'npm install @tensorflow/tfjs-backend-webgpu webgpu'
        : `npm install @tensorflow/tfjs-backend-webgpu${bundled}`;
    case 'webgl':
      return `npm install @tensorflow/tfjs-backend-webgl${bundled}`;
    case 'wasm':
      return 'npm install @tensorflow/tfjs-backend-wasm';
    case 'cpu':
      return 'npm install @tensorflow/tfjs-backend-cpu';
  }
}

/** A backend made ready to start, or the reason it cannot be. */
type Preparation = { ok: true; note: string; device?: string } | { ok: false; reason: string };

/** Imports the first package of `name` that loads, unless the backend is registered already. */
async function registerOptional(name: BackendName, runtime: Runtime): Promise<Preparation> {
  if (tf.findBackendFactory(name)) return { ok: true, note: 'registered' };
  const failures: string[] = [];
  for (const specifier of optionalPackages[name as keyof typeof optionalPackages]) {
    const loaded = await importOptional<unknown>(specifier);
    if ('module' in loaded) {
      if (tf.findBackendFactory(name)) return { ok: true, note: `from ${specifier}` };
      failures.push(
        name === 'webgpu'
          ? `${specifier} was imported before navigator.gpu existed, so it registered no backend; ` +
              'let selectBackend import it'
          : `${specifier} loaded but registered no '${name}' backend`,
      );
      break;
    }
    if (!loaded.missing) failures.push(`${specifier} failed to load: ${loaded.message}`);
  }
  return {
    ok: false,
    reason: failures.length > 0 ? failures.join('; ') : `not installed: ${installHint(name, runtime)}`,
  };
}

async function prepare(
  name: BackendName,
  runtime: Runtime,
  auto: boolean,
  options: SelectBackendOptions,
): Promise<Preparation> {
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return { ok: true, note: 'pure JavaScript' };
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
      return { ok: true, note: 'WebAssembly' };
    }
    case 'tensorflow':
      if (runtime !== 'node') return { ok: false, reason: 'runs only in Node (libtensorflow bindings)' };
      return registerOptional(name, runtime);
    case 'webgl': {
      if (runtime !== 'browser') return { ok: false, reason: 'needs a browser (a WebGL context)' };
      const registered = await registerOptional(name, runtime);
      if (!registered.ok) return registered;
      const renderer = webGlRenderer();
      if (renderer === undefined) return { ok: false, reason: 'this browser has no WebGL2 context' };
      if (auto && !options.allowSoftwareGpu && isSoftwareRenderer(renderer)) {
        return {
          ok: false,
          reason: `software WebGL renderer (${renderer}), slower than wasm; ask for 'webgl' by name to use it`,
        };
      }
      return { ...registered, device: renderer };
    }
    case 'webgpu': {
      if (runtime === 'browser') {
        // a bundled app must import the package itself: a bundler cannot see this import
        const registered = await registerOptional(name, runtime);
        if (!registered.ok) return registered;
      }
      const probe = await probeWebGpu();
      if (!probe.available) return { ok: false, reason: probe.reason };
      if (probe.fallback && auto && !options.allowSoftwareGpu) {
        return {
          ok: false,
          reason:
            `software fallback adapter (${probe.description}), slower than wasm; ` +
            "ask for 'webgpu' by name to use it",
        };
      }
      await startDawn();
      installWebGpuGlobals();
      const registered = await registerOptional(name, runtime);
      if (!registered.ok) return registered;
      return {
        ok: true,
        note: probe.fallback ? 'software fallback adapter' : 'hardware adapter',
        device: probe.description,
      };
    }
  }
}

async function tryBackend(
  name: BackendName,
  runtime: Runtime,
  auto: boolean,
  options: SelectBackendOptions,
): Promise<BackendAttempt & { device?: string }> {
  let prepared: Preparation;
  try {
    prepared = await prepare(name, runtime, auto, options);
  } catch (error) {
    return { name, ok: false, reason: `failed to load: ${(error as Error).message}` };
  }
  if (!prepared.ok) return { name, ok: false, reason: prepared.reason };
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return { name, ok: false, reason: `${prepared.note}, but failed to initialise` };
    await tf.ready();
    return { name, ok: true, reason: `${prepared.note}, initialised`, device: prepared.device };
  } catch (error) {
    return { name, ok: false, reason: `failed to initialise: ${(error as Error).message}` };
  }
}

/**
 * Activates a TensorFlow.js backend and says what it chose and why.
 *
 * `'auto'` tries, fastest first, in Node: `tensorflow` (`@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node`), `webgpu` (`@tensorflow/tfjs-backend-webgpu` on Dawn from the `webgpu`
 * package), `wasm`, `cpu`; in a browser: `webgpu`, `webgl`, `wasm`, `cpu`. It never picks a
 * software WebGPU adapter or WebGL renderer (slower than wasm) unless
 * {@link SelectBackendOptions.allowSoftwareGpu} is set. A backend asked for by name that cannot
 * start is an error naming what to install.
 *
 * The optional backend packages are imported here, by a name held in a variable, never at module
 * load. A bundler cannot see such imports: in a browser app, import
 * `@tensorflow/tfjs-backend-webgpu` or `@tensorflow/tfjs-backend-webgl` yourself, and they are
 * found registered.
 * @throws Error naming the package to install when a named backend cannot start, or listing why
 *   each backend failed when `'auto'` finds none.
 */
export async function selectBackend(
  preference: BackendPreference = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendSelection> {
  const runtime = currentRuntime();
  const known: readonly string[] = ['auto', 'tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'];
  if (!known.includes(preference)) {
    throw new RangeError(
      `selectBackend: unknown backend '${preference}'; use auto, cpu, wasm, webgpu, webgl or tensorflow`,
    );
  }
  const auto = preference === 'auto';
  const order = auto ? autoOrder[runtime] : [preference];
  const tried: BackendAttempt[] = [];
  for (const name of order) {
    const { device, ...attempt } = await tryBackend(name, runtime, auto, options);
    tried.push(attempt);
    if (attempt.ok) {
      muteCpuBackendBanner();
      const skipped = tried.slice(0, -1).map((t) => `${t.name}: ${t.reason}`);
      const reason = auto
        ? `first to start of ${order.join(', ')} (${runtime})${skipped.length > 0 ? `; skipped ${skipped.join('; ')}` : ''}`
        : `asked for (${attempt.reason})`;
      return device === undefined ? { name, reason, tried } : { name, reason, tried, device };
    }
  }
  const last = tried[tried.length - 1];
  throw new Error(
    auto
      ? `selectBackend: no backend could start (${tried.map((t) => `${t.name}: ${t.reason}`).join('; ')})`
      : `selectBackend: backend '${preference}' is unavailable: ${last.reason}`,
  );
}
