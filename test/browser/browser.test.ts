import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { build as buildPackage } from 'tsup';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleCorpusOptions, recommendationCount } from '../../examples/browser/corpus';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { browserBuild } from '../../tsup.config';

// Builds the package's browser entry (tsup, dist/browser: what the "browser" export condition
// points at), builds examples/browser with Vite against it (the page imports 'mars-rec', not the
// sources), serves it, and checks the page in Debian's headless Chromium (`.ci/run` installs it
// with apt). Without /usr/bin/chromium the suite is skipped.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium)
  console.warn(`[browser.test] SKIPPED: no Chromium at ${chromiumPath} (apt-get install chromium)`);

/** Node's built-in module names, as a bundle would import them without the `node:` prefix. */
const nodeBuiltins = new Set([
  'fs',
  'fs/promises',
  'path',
  'readline',
  'child_process',
  'module',
  'url',
  'os',
]);

const contentTypes: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

const require = createRequire(import.meta.url);
const flatTensorFlowBundles = [
  ['@tensorflow/tfjs-core', 'tf-core'],
  ['@tensorflow/tfjs-layers', 'tf-layers'],
  ['@tensorflow/tfjs-backend-cpu', 'tf-backend-cpu'],
  ['@tensorflow/tfjs-backend-wasm', 'tf-backend-wasm'],
].map(([name, file]) => ({
  find: new RegExp(`^${name.replace('/', '\\/')}$`), // the package itself, not its files (the .wasm assets)
  replacement: require.resolve(`${name}/dist/${file}.fesm.js`),
}));

/** A TCP port nothing listens on now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((ready) => probe.listen(0, '127.0.0.1', ready));
  const { port } = probe.address() as AddressInfo;
  await new Promise((closed) => probe.close(closed));
  return port;
}

/** A static file server for `root` on a free local port. */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

describe.skipIf(!hasChromium)(
  `browser example (${hasChromium ? chromiumPath : 'skipped: no Chromium'})`,
  () => {
    const outDir = resolve(mkdtempSync(join(tmpdir(), 'mars-rec-browser-')));
    let server: Server | undefined;
    let browser: Browser | undefined;
    let url = '';

    beforeAll(async () => {
      let started = performance.now();
      await buildPackage({ ...browserBuild, silent: true });
      console.info(`[browser.test] tsup browser build: ${Math.round(performance.now() - started)} ms`);
      started = performance.now();
      await build({
        configFile: resolve('examples/browser/vite.config.ts'),
        build: { outDir, emptyOutDir: true, minify: false, reportCompressedSize: false },
        // for speed only: TensorFlow.js's flat ES bundles, one file a package instead of hundreds
        resolve: { alias: flatTensorFlowBundles },
        logLevel: 'error',
      });
      console.info(`[browser.test] vite build: ${Math.round(performance.now() - started)} ms`);
      ({ server, url } = await serve(outDir));
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
        ],
      });
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise((closed) => server?.close(closed));
      rmSync(outDir, { recursive: true, force: true });
    });

    it("the browser build imports none of Node's built-in modules, and the page bundles it", () => {
      const files = readdirSync(resolve('dist/browser'), { recursive: true, encoding: 'utf8' }).filter(
        (file) => file.endsWith('.js'),
      );
      expect(files).toContain('index.js');
      for (const file of files) {
        const source = readFileSync(resolve('dist/browser', file), 'utf8');
        const specifiers = [
          ...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g),
        ].map((match) => match[1]);
        expect(
          specifiers.filter((specifier) => specifier.startsWith('node:') || nodeBuiltins.has(specifier)),
          file,
        ).toEqual([]);
      }
      // the page's bundle holds the browser build (its stand-in for Node's fs), not the sources
      const assets = readdirSync(join(outDir, 'assets'));
      expect(assets.some((file) => /^promises-.*\.js$/.test(file))).toBe(true);
      expect(assets.filter((file) => file.endsWith('.wasm'))).toHaveLength(3);
    });

    it('npm run example:browser: the dev server prints its URL, and the page works there too', async () => {
      const port = await freePort();
      // what the npm script runs after building the package
      const server: ChildProcess = spawn(
        process.execPath,
        [
          resolve('node_modules/vite/bin/vite.js'),
          '--config',
          'examples/browser/vite.config.ts',
          '--port',
          String(port),
          '--strictPort',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
      );
      try {
        const printed = await new Promise<string>((found, failed) => {
          let output = '';
          const timer = setTimeout(() => failed(new Error(`no URL printed within 60 s:\n${output}`)), 60_000);
          const read = (chunk: Buffer): void => {
            output += chunk.toString();
            const match = /Local:\s+(http:\/\/\S+)/.exec(output);
            if (match) {
              clearTimeout(timer);
              found(match[1]);
            }
          };
          server.stdout?.on('data', read);
          server.stderr?.on('data', read);
        });
        expect(printed).toBe(`http://localhost:${port}/`);
        const page = await (browser as Browser).newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`${printed}?backend=wasm`);
        await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 120_000 });
        expect(errors).toEqual([]);
        expect(
          await page.getAttribute('body', 'data-state'),
          (await page.getByTestId('status').textContent()) ?? '',
        ).toBe('done');
        expect(await page.getByTestId('backend').textContent()).toBe('wasm');
        await page.close();
      } finally {
        server.kill();
      }
    }, 150_000);

    it.each(['auto', 'cpu'])(
      'trains in the page (?backend=%s) and renders recommendations from the corpus, none from the history',
      async (backend) => {
        const page = await (browser as Browser).newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        const started = performance.now();
        await page.goto(`${url}?backend=${backend}`);
        await page.waitForSelector('body[data-state="done"], body[data-state="error"]', { timeout: 120_000 });
        const status = await page.getByTestId('status').textContent();
        expect(errors).toEqual([]);
        expect(await page.getAttribute('body', 'data-state'), status ?? '').toBe('done');
        const chosen = await page.getByTestId('backend').textContent();
        const reason = await page.getByTestId('backend-reason').textContent();
        console.info(
          `[browser.test] ?backend=${backend}: ${chosen} ${reason}, page done in ` +
            `${Math.round(performance.now() - started)} ms; ${status}`,
        );
        // headless Chromium with --disable-gpu has no usable GPU; 'auto' falls through to wasm
        expect(chosen).toBe(backend === 'auto' ? 'wasm' : backend);

        const items = new Set(generateSyntheticCorpus(exampleCorpusOptions).items.map((item) => item.id));
        const recommended = await page.getByTestId('recommendation').evaluateAll((nodes) =>
          nodes.map((node) => ({
            id: (node as HTMLElement).dataset.itemId,
            score: Number((node as HTMLElement).dataset.score),
          })),
        );
        const history = await page
          .locator('[data-testid="history"] li')
          .evaluateAll((nodes) => nodes.map((node) => (node as HTMLElement).dataset.itemId));
        expect(recommended).toHaveLength(recommendationCount);
        expect(history.length).toBeGreaterThan(0);
        for (const { id, score } of recommended) {
          expect(items.has(id as string), `${id} is a corpus item`).toBe(true);
          expect(history).not.toContain(id);
          expect(Number.isFinite(score)).toBe(true);
        }
        const scores = recommended.map((r) => r.score);
        expect(scores).toEqual([...scores].sort((a, b) => b - a));
        await page.close();
      },
      150_000,
    );
  },
);
