import * as tf from '@tensorflow/tfjs-core';

/** A backend preference: a name, or `'auto'` for the fastest one that works here. */
export type BackendPreference = 'auto' | 'cpu' | 'wasm' | 'webgpu' | 'tensorflow';

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
}

/** The npm package that provides each optional backend. */
const packageOf: Record<string, string> = {
  tensorflow: '@tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node (CPU)',
  webgpu: '@tensorflow/tfjs-backend-webgpu (plus the `webgpu` package in Node)',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/**
 * Imports a module by a name held in a variable, so bundlers leave optional peers alone and the
 * library never loads them at module load.
 */
async function importOptional(specifier: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ specifier);
    return true;
  } catch {
    return false;
  }
}

async function tryBackend(name: string): Promise<BackendAttempt> {
  const loaders: Record<string, string[]> = {
    tensorflow: ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'],
    webgpu: ['@tensorflow/tfjs-backend-webgpu'],
    wasm: ['@tensorflow/tfjs-backend-wasm'],
    cpu: ['@tensorflow/tfjs-backend-cpu'],
  };
  if (!tf.findBackendFactory(name)) {
    let loaded = false;
    for (const specifier of loaders[name] ?? []) {
      if (await importOptional(specifier)) {
        loaded = true;
        break;
      }
    }
    if (!loaded || !tf.findBackendFactory(name)) {
      return { name, ok: false, reason: `not installed: npm install ${packageOf[name]}` };
    }
  }
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return { name, ok: false, reason: 'installed but failed to initialise' };
    await tf.ready();
    return { name, ok: true, reason: 'initialised' };
  } catch (error) {
    return { name, ok: false, reason: `failed to initialise: ${(error as Error).message}` };
  }
}

/**
 * Activates a TensorFlow.js backend. `'auto'` in Node tries tensorflow (tfjs-node-gpu or
 * tfjs-node), then wasm, then cpu; WebGPU is used only when asked for (on these machines its
 * adapter is often a software fallback, slower than wasm). A backend asked for by name that is
 * unavailable is an error naming the package to install. Optional packages are imported only
 * here, never at module load.
 * @throws Error naming the package to install when a named backend cannot start.
 */
export async function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendSelection> {
  const order = preference === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [preference];
  if (!order.every((name) => name in packageOf)) {
    throw new RangeError(
      `selectBackend: unknown backend '${preference}'; use auto, cpu, wasm, webgpu or tensorflow`,
    );
  }
  const tried: BackendAttempt[] = [];
  for (const name of order) {
    const attempt = await tryBackend(name);
    tried.push(attempt);
    if (attempt.ok) {
      const reason = preference === 'auto' ? `first available of ${order.join(', ')}` : 'asked for';
      return { name, reason, tried };
    }
  }
  const last = tried[tried.length - 1];
  throw new Error(
    preference === 'auto'
      ? `selectBackend: no backend could start (${tried.map((t) => `${t.name}: ${t.reason}`).join('; ')})`
      : `selectBackend: backend '${preference}' is unavailable (${last.reason})`,
  );
}
