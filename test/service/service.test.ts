import * as tf from '@tensorflow/tfjs-core';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserSplit } from '../../src/data/split';
import type { MarsModel } from '../../src/model/mars-model';
import { createRecommendationService, knownUsersOfSplit, startServer } from '../../src/serving/http/index';
import type { RecommendationService, RunningServer, ServedModel } from '../../src/serving/http/index';
import { trainTinyModel } from './fixture';

// A real Fastify server on an ephemeral port of 127.0.0.1, a tiny MARS model behind it; every
// answer is compared with the model's own recommend/explain.
let model: MarsModel;
let split: UserSplit;
let service: RecommendationService;
let server: RunningServer;
const logLines: string[] = [];

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  ({ model, split } = await trainTinyModel());
  service = createRecommendationService(model, { users: knownUsersOfSplit(split) });
  server = await startServer(service, {
    port: 0,
    signals: [],
    logger: { level: 'info', stream: { write: (line) => void logLines.push(line) } },
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  model?.dispose();
});

describe('HTTP recommendation service', () => {
  it('recommends for a history as MarsModel.recommend does, skipping and listing unknown ids', async () => {
    const history = split.historyOf(3, 'train');
    const exclude = [split.itemIds[0], split.itemIds[1]];
    const { status, json } = await post('/recommend', {
      history: ['no-such-item', ...history, 'typo'],
      k: 5,
      exclude: [...exclude, 'gone'],
    });
    expect(status).toBe(200);
    const expected = await model.recommend(history, { k: 5, exclude });
    expect(json.items).toEqual(expected.map((r) => ({ id: r.id, score: r.score })));
    expect(json.unknownItems).toEqual(['no-such-item', 'typo', 'gone']);
  });

  it('recommends for a known user from their training history and learned user vector', async () => {
    const user = split.userIds[7];
    const { status, json } = await post('/recommend', { user, k: 4 });
    expect(status).toBe(200);
    const expected = await model.recommend(split.historyOf(7, 'train'), { k: 4, user: 7 });
    expect(json.items).toEqual(expected.map((r) => ({ id: r.id, score: r.score })));
  });

  it('explains: attention weights as MarsModel.explain gives them, in /explain and in /recommend', async () => {
    const history = split.historyOf(2, 'train');
    const item = split.itemIds.find((id) => !history.includes(id)) as string;
    const explained = await post('/explain', { history, item });
    expect(explained.status).toBe(200);
    const reference = await model.explain(history, item);
    expect(explained.json).toEqual({ ...reference, unknownItems: [] });
    const recommended = await post('/recommend', { history, k: 2, explain: true });
    const items = recommended.json.items as { id: string; attention: { id: string; weight: number }[] }[];
    for (const entry of items)
      expect(entry.attention).toEqual((await model.explain(history, entry.id)).history);
  });

  it('answers /health and /info', async () => {
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const info = (await (await fetch(`${server.url}/info`)).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ model: 'mars', items: split.itemIds.length, users: split.userIds.length });
    expect((info.memory as { tensors: number }).tensors).toBe(tf.memory().numTensors);
  });

  it.each([
    ['a field of the wrong type', { history: ['a'], k: '5' }, 400, 'k'],
    ['k out of range', { history: ['a'], k: 0 }, 400, 'k'],
    ['k above the limit', { history: ['a'], k: 1001 }, 400, 'k'],
    ['a non-string id', { history: ['a', 7] }, 400, 'history[1]'],
    ['an empty id', { history: [''] }, 400, 'history[0]'],
    ['an unknown field', { hisotry: ['a'] }, 400, 'hisotry'],
    [
      'a history longer than the limit',
      { history: Array.from({ length: 1001 }, (_, i) => `x${i}`) },
      400,
      'history',
    ],
    ['neither history nor user', { k: 3 }, 400, 'history'],
    ['an unknown user', { user: 'nobody' }, 404, 'user'],
    ['explain given a non-boolean', { history: ['a'], explain: 'yes' }, 400, 'explain'],
  ])('refuses %s with a status and the field', async (_what, body, status, field) => {
    const answer = await post('/recommend', body);
    expect(answer.status).toBe(status);
    expect(answer.json.field).toBe(field);
    expect(String(answer.json.message)).toContain(field.replace(/\[\d+\]$/, ''));
  });

  it.each([
    ['invalid JSON', '{"history": [', 400],
    ['a JSON array', '[]', 400],
    ['JSON null', 'null', 400],
    ['an empty body', '', 400],
  ])('refuses %s with a clear message', async (_what, body, status) => {
    const answer = await post('/recommend', body);
    expect(answer.status).toBe(status);
    expect(answer.json.message).toMatch(/JSON|body/);
  });

  it('refuses a body over the size limit with 413, and a body that is not JSON with 415', async () => {
    const huge = await post('/recommend', { history: ['x'.repeat(2 * 1024 * 1024)] });
    expect(huge.status).toBe(413);
    const text = await fetch(`${server.url}/recommend`, { method: 'POST', body: 'history=a' });
    expect(text.status).toBe(415);
  });

  it('answers a few hundred requests from 8 concurrent clients correctly, without leaking tensors', async () => {
    const histories = split.userIds.map((_, user) => split.historyOf(user, 'train'));
    const expected = await model.recommendMany(histories, { k: 3 });
    await post('/recommend', { history: histories[0], k: 3 }); // warm the vector cache
    const tensors = tf.memory().numTensors;
    let next = 0;
    const client = async (): Promise<void> => {
      while (next < 300) {
        const request = next++;
        const user = request % histories.length;
        const { status, json } = await post('/recommend', { history: histories[user], k: 3 });
        expect(status).toBe(200);
        expect((json.items as { id: string }[]).map((r) => r.id)).toEqual(expected[user].map((r) => r.id));
      }
    };
    await Promise.all(Array.from({ length: 8 }, client));
    expect(tf.memory().numTensors).toBe(tensors);
  }, 60_000);

  it('keeps serving others while a slow client trickles its body and another aborts mid-body', async () => {
    const slow = connect((new URL(server.url).port as unknown as number) * 1, '127.0.0.1');
    const aborted = connect(Number(new URL(server.url).port), '127.0.0.1');
    const head = (length: number): string =>
      `POST /recommend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    slow.write(`${head(100)}{"history"`);
    aborted.write(`${head(100)}{"history": ["`);
    aborted.destroy();
    const history = split.historyOf(1, 'train');
    const answers = await Promise.all(Array.from({ length: 5 }, () => post('/recommend', { history, k: 2 })));
    for (const answer of answers) expect(answer.status).toBe(200);
    slow.destroy();
  });

  it('writes structured JSON log lines, one per request and response', () => {
    const parsed = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      parsed.some((line) => line.msg === 'request completed' && typeof line.responseTime === 'number'),
    ).toBe(true);
    expect(parsed.every((line) => typeof line.level === 'number' && typeof line.time === 'number')).toBe(
      true,
    );
  });
});

describe('batching and shutdown (a stub model whose calls the test releases)', () => {
  /** A model that records each call and answers only when released. */
  function gatedModel(): { served: ServedModel; calls: number[]; release: () => void } {
    const calls: number[] = [];
    let open: () => void = () => undefined;
    let gate = new Promise<void>((resolve) => (open = resolve));
    return {
      calls,
      release: () => {
        open();
        gate = new Promise<void>((resolve) => (open = resolve));
      },
      served: {
        kind: 'stub',
        itemCount: 100,
        hasItem: (id) => /^i\d+$/.test(id),
        recommendMany: async (queries) => {
          calls.push(queries.length);
          await gate;
          // item i<n> ranks by n descending; the history and exclusions are left out
          return queries.map((query) =>
            Array.from({ length: 100 }, (_, n) => `i${99 - n}`)
              .filter((id) => !query.history.includes(id) && !query.exclude.includes(id))
              .slice(0, query.k)
              .map((id, rank) => ({ id, score: -rank })),
          );
        },
        describe: () => ({}),
      },
    };
  }

  it('scores concurrent requests in one model call, each with its own k and exclusions', async () => {
    const stub = gatedModel();
    const stubService = createRecommendationService(stub.served);
    const pending = Array.from({ length: 20 }, (_, n) =>
      stubService.recommend({ history: [`i${99 - n}`], k: 1 + (n % 4), exclude: [`i${98 - n}`] }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    stub.release();
    const answers = await Promise.all(pending);
    expect(stub.calls).toEqual([20]);
    answers.forEach((answer, n) => {
      const expected = Array.from({ length: 100 }, (_, m) => `i${99 - m}`)
        .filter((id) => id !== `i${99 - n}` && id !== `i${98 - n}`)
        .slice(0, 1 + (n % 4));
      expect(answer.items.map((item) => item.id)).toEqual(expected);
    });
    expect(stubService.info().batching).toEqual({ batches: 1, queries: 20, largestBatch: 20 });
  });

  it('caps a batch at maxBatchSize and queues the rest for the next call', async () => {
    const stub = gatedModel();
    const stubService = createRecommendationService(stub.served, { limits: { maxBatchSize: 8 } });
    const pending = Array.from({ length: 20 }, () => stubService.recommend({ history: ['i1'], k: 2 }));
    for (let call = 0; call < 3; call++) {
      await new Promise((resolve) => setImmediate(resolve));
      stub.release();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(pending);
    expect(stub.calls).toEqual([8, 8, 4]);
  });

  it('on close, answers the requests in progress, then refuses new ones', async () => {
    const stub = gatedModel();
    const stubService = createRecommendationService(stub.served);
    const stubServer = await startServer(stubService, { port: 0, signals: [], logger: false });
    const inProgress = fetch(`${stubServer.url}/recommend`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ history: ['i5'], k: 2 }),
    });
    while (stub.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const closing = stubServer.close();
    expect(stubService.health()).toEqual({ status: 'ok' }); // the service closes after the last answer
    stub.release();
    const answer = await inProgress;
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([
      'i99',
      'i98',
    ]);
    await closing;
    await stubServer.closed;
    expect(stubService.health()).toEqual({ status: 'closing' });
    await expect(fetch(`${stubServer.url}/health`)).rejects.toThrow();
    await expect(stubService.recommend({ history: ['i1'] })).rejects.toMatchObject({ statusCode: 503 });
  });
});

describe('RequestBatcher', () => {
  it('fails only the bad query of a batch whose call failed, answering the others', async () => {
    const { RequestBatcher } = await import('../../src/serving/http/request-batcher');
    const calls: number[][] = [];
    const batcher = new RequestBatcher<number, number>((queries) => {
      calls.push(queries);
      return queries.includes(-1)
        ? Promise.reject(new RangeError('negative'))
        : Promise.resolve(queries.map((q) => q * 2));
    }, 16);
    const results = await Promise.allSettled([1, -1, 3].map((query) => batcher.submit(query)));
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value : 'failed'))).toEqual([
      2,
      'failed',
      6,
    ]);
    expect(calls).toEqual([[1, -1, 3], [1], [-1], [3]]);
    await batcher.drain();
    expect(batcher.pending).toBe(0);
  });
});
