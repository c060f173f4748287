/** Where the code runs: `'node'` (Node.js, no DOM window) or `'browser'` (a page or a worker). */
export type Runtime = 'node' | 'browser';

/** The runtime this code runs in; decides the order `selectBackend('auto')` tries backends in. */
export function currentRuntime(): Runtime {
  const scope = globalThis as { process?: { versions?: { node?: unknown } }; window?: unknown };
  return typeof scope.process?.versions?.node === 'string' && scope.window === undefined ? 'node' : 'browser';
}

/**
 * Imports a module by a name held in a variable, so bundlers leave optional peers alone and the
 * library never loads them at module load.
 * @returns the module, or why it could not be loaded: `missing` is true when it is not installed
 *   (or, in a browser, not bundled), false when it is there but failed to load (`message` says why).
 */
export async function importOptional<Module>(
  specifier: string,
): Promise<{ module: Module } | { missing: boolean; message: string }> {
  try {
    return { module: (await import(/* @vite-ignore */ specifier)) as Module };
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    const text = String(message ?? error);
    const missing =
      (text.includes(specifier) &&
        (code === 'ERR_MODULE_NOT_FOUND' ||
          code === 'MODULE_NOT_FOUND' ||
          // bundler and test-runner loaders (Vite, vitest) word it their own way
          /cannot find (module|package)|could not resolve|failed to resolve|failed to load url/i.test(
            text,
          ))) ||
      // a browser cannot resolve a bare specifier that was not bundled
      (currentRuntime() === 'browser' && error instanceof TypeError);
    return { missing, message: text };
  }
}
