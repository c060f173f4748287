import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/select-backend';
import type { BackendPreference } from '../../src/backend/select-backend';
import { probeWebGpu } from '../../src/backend/webgpu-adapter';
import { importOptional } from '../../src/backend/runtime';

const tensorflowInstalled = (
  await Promise.all(
    ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].map((name) => importOptional(name)),
  )
).some((loaded) => 'module' in loaded);

/** Puts a stand-in `navigator.gpu` in place (Node 20 has no navigator; Node 21+ has a read-only one). */
function fakeGpu(adapter: object | null): () => void {
  const gpu = { requestAdapter: async () => adapter };
  const scope = globalThis as { navigator?: object };
  if (scope.navigator) {
    Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
    return () => delete (scope.navigator as { gpu?: unknown }).gpu;
  }
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return () => delete scope.navigator;
}

describe('selectBackend', () => {
  let restore: (() => void) | undefined;
  afterEach(async () => {
    restore?.();
    restore = undefined;
    await tf.setBackend('cpu');
  });

  it('starts cpu and wasm by name and says so', async () => {
    for (const name of ['cpu', 'wasm'] as const) {
      const selection = await selectBackend(name);
      expect(selection).toMatchObject({ name, tried: [{ name, ok: true }] });
      expect(selection.reason).toMatch(/asked for/);
      expect(tf.getBackend()).toBe(name);
    }
  });

  it('rejects an unknown name, listing the valid ones', async () => {
    await expect(selectBackend('cuda' as BackendPreference)).rejects.toThrow(
      /unknown backend 'cuda'; use auto, cpu, wasm, webgpu, webgl or tensorflow/,
    );
  });

  it.skipIf(tensorflowInstalled)(
    'names the package to install when tensorflow is asked for and absent',
    async () => {
      await expect(selectBackend('tensorflow')).rejects.toThrow(
        /backend 'tensorflow' is unavailable: not installed: npm install @tensorflow\/tfjs-node-gpu .* or @tensorflow\/tfjs-node/,
      );
    },
  );

  it('refuses webgl in Node with the reason', async () => {
    await expect(selectBackend('webgl')).rejects.toThrow(/backend 'webgl' is unavailable: needs a browser/);
  });

  it("'auto' in Node tries tensorflow, then webgpu, then wasm, and reports every attempt", async () => {
    const selection = await selectBackend('auto');
    const order = ['tensorflow', 'webgpu', 'wasm', 'cpu'];
    expect(selection.tried.map((t) => t.name)).toEqual(order.slice(0, selection.tried.length));
    expect(selection.tried.at(-1)).toMatchObject({ name: selection.name, ok: true });
    expect(selection.tried.slice(0, -1).every((t) => !t.ok)).toBe(true);
    expect(selection.reason).toMatch(/^first to start of tensorflow, webgpu, wasm, cpu \(node\)/);
    for (const skipped of selection.tried.slice(0, -1)) expect(selection.reason).toContain(skipped.reason);
    if (!tensorflowInstalled)
      expect(selection.tried[0].reason).toMatch(/npm install @tensorflow\/tfjs-node-gpu/);
    const webgpu = await probeWebGpu();
    if (!tensorflowInstalled && (!webgpu.available || webgpu.fallback)) expect(selection.name).toBe('wasm');
  });

  it("'auto' skips a software fallback adapter, and says which", async () => {
    restore = fakeGpu({ info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true } });
    const selection = await selectBackend('auto');
    expect(selection.name).not.toBe('webgpu');
    expect(selection.tried.find((t) => t.name === 'webgpu')?.reason).toMatch(
      /software fallback adapter \(google swiftshader\), slower than wasm; ask for 'webgpu' by name/,
    );
  });

  it('recognises software adapters that do not set isFallbackAdapter (lavapipe)', async () => {
    restore = fakeGpu({
      info: { vendor: 'mesa', architecture: '', device: 'llvmpipe (LLVM 15.0.6, 256 bits)' },
    });
    expect(await probeWebGpu()).toMatchObject({ available: true, fallback: true });
  });

  it('a missing adapter is a clear error when webgpu is asked for', async () => {
    restore = fakeGpu(null);
    await expect(selectBackend('webgpu')).rejects.toThrow(
      /backend 'webgpu' is unavailable: navigator.gpu found no adapter/,
    );
    expect((await selectBackend('auto')).tried.find((t) => t.name === 'webgpu')?.ok).toBe(false);
  });
});
