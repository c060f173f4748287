import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASTIFY_PACKAGE, loadFastify } from '../../src/serving/http/fastify-adapter';
import { importUsearch, USEARCH_PACKAGE, UsearchItemIndex } from '../../src/serving/item-index/usearch-index';

// An optional engine that is not installed must fail with an error naming the package to install,
// not with Node's bare "Cannot find package". Each adapter takes the module name as a parameter;
// a name that no registry holds stands for the missing package.
const missing = 'mars-rec-test-no-such-package';

describe('a missing optional engine is an error naming the package to install', () => {
  it('usearch: importing, creating and reopening an index', async () => {
    const named = new RegExp(
      `needs the optional package '${missing}'.*Install it with: npm install ${USEARCH_PACKAGE}@`,
    );
    await expect(importUsearch(missing)).rejects.toThrow(named);
    await expect(UsearchItemIndex.create(4, { packageName: missing })).rejects.toThrow(named);
    // reopening a saved index: the settings file is read first, then the engine is loaded
    const folder = await mkdtemp(join(tmpdir(), 'mars-missing-engine-'));
    try {
      const index = await UsearchItemIndex.create(4);
      await index.add(Int32Array.of(0, 1), Float32Array.of(1, 0, 0, 0, 0, 1, 0, 0));
      await index.save(folder);
      index.dispose();
      await expect(
        UsearchItemIndex.open(folder, Int32Array.of(0, 1), Float32Array.of(1, 0, 0, 0, 0, 1, 0, 0), {
          packageName: missing,
        }),
      ).rejects.toThrow(named);
      // the real package loads: the error above came from the name alone
      const reopened = await UsearchItemIndex.open(
        folder,
        Int32Array.of(0, 1),
        Float32Array.of(1, 0, 0, 0, 0, 1, 0, 0),
      );
      expect(reopened.size).toBe(2);
      reopened.dispose();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('fastify: loading the HTTP framework', async () => {
    await expect(loadFastify(missing)).rejects.toThrow(
      new RegExp(
        `needs the optional package '${missing}'.*Install it with: npm install ${FASTIFY_PACKAGE}@\\^5`,
      ),
    );
    const fastify = await loadFastify(); // installed as a devDependency: the same call succeeds
    expect(typeof fastify.default).toBe('function');
  });
});
