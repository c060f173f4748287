import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainCommand } from '../../src/cli/commands';
import { UserSplit } from '../../src/data/split';
import { formatRunInfo, infoCommand } from '../../src/cli/info';
import { loadServedRun } from '../../src/cli/served-run';
import { createRecommendationService } from '../../src/serving/http/index';
import { generateSyntheticCorpus } from '../../src/synthetic';
import { cliEntry, marsRec, repositoryRoot } from '../helpers/mars-rec-cli';
import { writeCorpusFiles } from '../helpers/corpus-files';

/** Starts `mars-rec serve` on a free port; resolves with its URL and the JSON log lines so far. */
async function serve(
  model: string,
): Promise<{ url: string; logs: Record<string, unknown>[]; stop: () => Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cliEntry, 'serve', '--model', model, '--port', '0', '--backend', 'cpu'],
    {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const url = await new Promise<string>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error('serve did not start within 60 s')), 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry.msg === 'serving') {
        clearTimeout(timer);
        ready(entry.url as string);
      }
    });
    void exited.then((code) => fail(new Error(`serve exited with ${code} before listening`)));
  });
  return {
    url,
    logs,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function recommend(
  url: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/recommend`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('mars-rec serve and info', () => {
  const folder = mkdtempSync(join(tmpdir(), 'mars-serve-'));
  const items = join(folder, 'items.jsonl');
  const interactions = join(folder, 'interactions.csv');
  const corpus = generateSyntheticCorpus({ seed: 4, itemCount: 60, userCount: 40, clicksPerUser: [5, 10] });
  const train = (
    out: string,
    model: string,
    extra: string[] = [],
  ): Promise<{ code: number; stdout: string; stderr: string }> =>
    marsRec([
      'train',
      '--items',
      items,
      '--interactions',
      interactions,
      '--out',
      out,
      '--model',
      model,
      '--backend',
      'cpu',
      ...extra,
    ]);

  beforeAll(() => {
    writeCorpusFiles(folder, corpus);
  });

  it('trains quietly, keeps the learning curve, and info reports config, data, the end and the metrics', async () => {
    const out = join(folder, 'mars');
    const trained = await train(out, 'mars', [
      '--steps',
      '4',
      '--batch-size',
      '16',
      '--max-doc-length',
      '30',
      '--quiet',
      '--config',
      '{"filters":8,"embeddingDim":8,"outputDim":8,"collaborativeFactors":4}',
    ]);
    expect(trained.code).toBe(0);
    // --quiet: no data summary, progress or validation lines (backend notices are the backend's business)
    expect(trained.stderr).not.toMatch(/^(data|backend|step|validation|saved)\b/m);
    const curve = JSON.parse(readFileSync(join(out, 'learning-curve.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(curve.steps).toEqual([1, 2, 3, 4]);
    expect((curve.loss as number[]).every(Number.isFinite)).toBe(true);
    expect(readFileSync(join(out, 'learning-curve.svg'), 'utf8')).toMatch(
      /^<svg[\s\S]*class="loss"[\s\S]*<\/svg>\n$/,
    );

    const info = await marsRec(['info', '--model', out, '--json']);
    expect(info.code).toBe(0);
    const facts = JSON.parse(info.stdout) as Record<string, Record<string, unknown>>;
    expect(facts.model).toBe('mars');
    expect(facts.config).toMatchObject({ filters: 8, collaborativeFactors: 4 });
    expect(facts.data).toMatchObject({ items: 60 });
    expect(facts.ended).toMatchObject({ reason: 'steps', steps: 4, plannedSteps: 4 });
    expect(Object.keys(facts.keptMetrics)).toContain('recall@50');
    const text = formatRunInfo(await infoCommand({ model: out }));
    expect(text).toMatch(/^training: completed the steps asked, 4 of 4 steps/m);
    expect(text).toMatch(/^data: \d+ users, 60 items/m);
    await expect(infoCommand({ model: folder })).rejects.toThrow(/run\.json not found/);
  }, 120_000);

  it('serves a MARS run: recommend with unknown ids, a known user, explain, health, info; SIGTERM exits 0', async () => {
    const server = await serve(join(folder, 'mars'));
    const ids = corpus.items.map((item) => item.id);
    const answer = await recommend(server.url, { history: [ids[0], 'nope', ids[1]], k: 3, explain: true });
    expect(answer.status).toBe(200);
    expect(answer.json.unknownItems).toEqual(['nope']);
    const recommended = answer.json.items as { id: string; attention: { id: string }[] }[];
    expect(recommended).toHaveLength(3);
    for (const item of recommended) {
      expect([ids[0], ids[1]]).not.toContain(item.id);
      expect(item.attention.map((entry) => entry.id)).toEqual([ids[0], ids[1]]);
    }
    const split = (await UserSplit.load(join(folder, 'mars', 'split.bin'))).toJSON();
    expect((await recommend(server.url, { user: split.userIds[0], k: 2 })).status).toBe(200);
    expect((await recommend(server.url, { user: 'nobody' })).status).toBe(404);
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${server.url}/info`)).json()).toMatchObject({ model: 'mars', items: 60 });
    expect(await server.stop()).toBe(0);
    expect(server.logs.map((line) => line.msg)).toContain('closed');
  }, 120_000);

  it('serves popularity and BPR-MF runs (BPR-MF for known users only, no explanations)', async () => {
    for (const model of ['popularity', 'bpr-mf'] as const) {
      const out = join(folder, model);
      // in-process: the same code as the commands, without two process starts per model
      await trainCommand({
        items,
        interactions,
        out,
        model,
        minUserInteractions: 3,
        trainFraction: 0.3,
        seed: 1,
        epochs: 3,
        batchSize: 128,
        maxHistory: 50,
        maxDocLength: 300,
        backend: 'cpu',
        json: true,
        quiet: true,
      });
      const loaded = await loadServedRun(out, 'cpu');
      const service = createRecommendationService(loaded.served, { users: loaded.users });
      const split = (await UserSplit.load(join(out, 'split.bin'))).toJSON();
      expect((await service.recommend({ user: split.userIds[1], k: 4 })).items).toHaveLength(4);
      const anonymous = service.recommend({ history: [corpus.items[0].id], k: 2 });
      if (model === 'popularity') expect((await anonymous).items).toHaveLength(2);
      else await expect(anonymous).rejects.toMatchObject({ statusCode: 400, field: 'user' });
      await expect(service.recommend({ user: split.userIds[1], explain: true })).rejects.toMatchObject({
        statusCode: 400,
        field: 'explain',
      });
    }
  });
});
