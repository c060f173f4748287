import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRecommendationService,
  RequestError,
  startServer,
  validateBody,
} from '../../src/serving/http/index';
import type { RecommendationService, RunningServer, ServedModel } from '../../src/serving/http/index';

// Generated request bodies against a real server (Fastify's Ajv and the service's own validator
// both in the path) and a stub model: every answer is one the oracle below predicts, from the
// body alone, and no request crashes or hangs the server.
const items = Array.from({ length: 30 }, (_, n) => `i${n}`);
const stub: ServedModel = {
  kind: 'stub',
  itemCount: items.length,
  hasItem: (id) => items.includes(id),
  recommendMany: (queries) =>
    Promise.resolve(
      queries.map((query) =>
        items
          .filter((id) => !query.history.includes(id) && !query.exclude.includes(id))
          .slice(0, query.k)
          .map((id, rank) => ({ id, score: -rank })),
      ),
    ),
  describe: () => ({}),
};
const users = {
  count: 2,
  indexOf: (id: string) => (['u0', 'u1'].indexOf(id) === -1 ? undefined : ['u0', 'u1'].indexOf(id)),
  historyOf: () => ['i1', 'i2'],
};

let service: RecommendationService;
let server: RunningServer;
beforeAll(async () => {
  service = createRecommendationService(stub, {
    users,
    limits: { maxHistoryLength: 20, maxK: 50, maxIdLength: 12, maxBodyBytes: 4096 },
  });
  server = await startServer(service, { port: 0, signals: [], logger: false });
});
afterAll(() => server?.close());

/** The status and field the service must answer for a body, worked out without the server. */
function expected(text: string): { status: number; field?: string } {
  if (Buffer.byteLength(text) > service.limits.maxBodyBytes) return { status: 413 };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: 400 };
  }
  if (/__proto__|constructor/.test(text)) return { status: 400 }; // prototype poisoning is refused
  try {
    validateBody(body, service.schemas.recommend);
  } catch (error) {
    return { status: 400, field: (error as RequestError).field };
  }
  const request = body as { history?: unknown; user?: string };
  if (request.user !== undefined && users.indexOf(request.user) === undefined)
    return { status: 404, field: 'user' };
  if (request.history === undefined && request.user === undefined) return { status: 400, field: 'history' };
  return { status: 200 };
}

const id = fc.oneof(fc.constantFrom(...items, 'u0', 'u1', 'x'), fc.string({ maxLength: 14 }));
const looseValue = fc.oneof(
  id,
  fc.integer({ min: -3, max: 60 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const requestLike = fc.record(
  {
    history: fc.oneof(fc.array(id, { maxLength: 25 }), fc.array(looseValue, { maxLength: 4 }), looseValue),
    user: fc.oneof(id, looseValue),
    k: fc.oneof(fc.integer({ min: -2, max: 60 }), looseValue),
    exclude: fc.oneof(fc.array(id, { maxLength: 5 }), looseValue),
    explain: fc.oneof(fc.constant(false), looseValue),
    extra: looseValue,
  },
  { requiredKeys: [] },
);
const bodyText = fc.oneof(
  { weight: 6, arbitrary: requestLike.map((body) => JSON.stringify(body)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null') },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: requestLike.map((body) => JSON.stringify(body).slice(0, -2)) },
  { weight: 1, arbitrary: fc.constant(JSON.stringify({ history: ['i1'], pad: 'x'.repeat(5000) })) },
);

describe('HTTP API under generated bodies', () => {
  it('answers every body with the predicted status and field, never a 500, and stays up', async () => {
    await fc.assert(
      fc.asyncProperty(bodyText, async (text) => {
        const response = await fetch(`${server.url}/recommend`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: text,
        });
        const answer = (await response.json()) as { message?: string; field?: string; items?: unknown[] };
        const oracle = expected(text);
        expect(response.status).toBe(oracle.status);
        if (oracle.status !== 200) {
          expect(typeof answer.message).toBe('string');
          if (oracle.field !== undefined) expect(answer.field).toBe(oracle.field);
        } else expect(Array.isArray(answer.items)).toBe(true);
      }),
      { numRuns: 250, seed: 17 },
    );
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  }, 60_000);

  it('validateBody throws only RequestErrors naming a field of the body, on any JSON value', () => {
    fc.assert(
      fc.property(fc.oneof(requestLike, fc.jsonValue({ maxDepth: 4 })), (body) => {
        try {
          validateBody(body, service.schemas.recommend);
        } catch (error) {
          expect(error).toBeInstanceOf(RequestError);
          const { field, message, statusCode } = error as RequestError;
          expect(statusCode).toBe(400);
          if (field !== undefined) {
            expect(message.startsWith(field)).toBe(true);
            const known = ['history', 'user', 'k', 'exclude', 'explain'];
            const root = known.find((name) => field === name || field.startsWith(`${name}[`));
            // otherwise the field is a key of the body that the schema does not know
            if (root === undefined) expect(Object.keys(body as object)).toContain(field);
          }
        }
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});
