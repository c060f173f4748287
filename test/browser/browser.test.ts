import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleCorpusOptions, recommendationCount } from '../../examples/browser/corpus';
import { generateSyntheticCorpus } from '../../src/synthetic';

// Builds examples/browser with Vite, serves it, and checks the page in Debian's headless
// Chromium (`.ci/run` installs it with apt). Without /usr/bin/chromium the suite is skipped.
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium)
  console.warn(`[browser.test] SKIPPED: no Chromium at ${chromiumPath} (apt-get install chromium)`);

const contentTypes: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

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
      const started = performance.now();
      await build({
        configFile: resolve('examples/browser/vite.config.ts'),
        build: { outDir, emptyOutDir: true, minify: false, reportCompressedSize: false },
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
