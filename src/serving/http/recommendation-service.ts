import type { KnownUsers } from './known-users';
import { resolveServiceLimits } from './limits';
import type { ServiceLimits } from './limits';
import { RequestBatcher } from './request-batcher';
import type { BatcherStats } from './request-batcher';
import { RequestError } from './request-error';
import { explainRequestSchema, recommendRequestSchema } from './schemas';
import type { ExplainRequest, JsonSchema, RecommendRequest } from './schemas';
import { servedMarsModel } from './served-mars-model';
import type { RankingModel } from './served-mars-model';
import type { RecommendationQuery, ServedModel } from './served-model';
import { validateBody } from './validate-body';

/** Options of {@link createRecommendationService}; every field has a default. */
export interface RecommendationServiceOptions {
  /** Bounds on requests. Default {@link DEFAULT_SERVICE_LIMITS}. */
  limits?: Partial<ServiceLimits>;
  /** The users requests may name (`user`). Default none: requests send histories. */
  users?: KnownUsers;
  /** Further facts for `GET /info`, e.g. where the model came from and its metrics. */
  info?: Record<string, unknown>;
}

/** One recommended item of a {@link RecommendResponse}. */
export interface RecommendedItem {
  /** Item id. */
  id: string;
  /** The model's score; higher is better. */
  score: number;
  /** With `explain`: the attention weight of each history item kept, in history order. */
  attention?: { id: string; weight: number }[];
}

/** Answer of `POST /recommend`. */
export interface RecommendResponse {
  /** The recommended items, best first. */
  items: RecommendedItem[];
  /** Ids of `history` and `exclude` the model does not know, skipped, in request order, each once. */
  unknownItems: string[];
}

/** Answer of `POST /explain`. */
export interface ExplainResponse {
  /** The candidate item. */
  item: string;
  /** Its score. */
  score: number;
  /** The attention weight of each history item kept (the most recent `maxHistory`), in history order. */
  history: { id: string; weight: number }[];
  /** History ids the model does not know, skipped. */
  unknownItems: string[];
}

/** Answer of `GET /health`. */
export interface HealthResponse {
  /** `ok` while serving, `closing` once shutdown began (then with status 503). */
  status: 'ok' | 'closing';
}

/** Answer of `GET /info`. */
export interface InfoResponse {
  /** The served model's kind (`mars`, `bpr-mf`, `popularity`, ...). */
  model: string;
  /** Items the model ranks. */
  items: number;
  /** Users requests may name. */
  users: number;
  /** The bounds on requests. */
  limits: ServiceLimits;
  /** The model's own facts (configuration). */
  details: Record<string, unknown>;
  /** Counters since start: requests answered, model calls, largest batch. */
  batching: BatcherStats;
  /** Seconds since the service was created. */
  uptimeSeconds: number;
  /** Process memory (bytes) and, with TensorFlow, the tensors alive. */
  memory: { rssBytes?: number; heapUsedBytes?: number; tensors?: number };
  /** The `info` option's facts. */
  [extra: string]: unknown;
}

/**
 * The recommendation service without any HTTP framework: validates request bodies (400s that
 * name the field), resolves users, sets unknown item ids aside, batches concurrent
 * recommendations into one model call, and answers plain objects. `startServer` and
 * `recommendationPlugin` put it behind Fastify; to embed it in another server, call these
 * methods from your routes and answer a {@link RequestError} with its `statusCode`.
 */
export interface RecommendationService {
  /** The resolved bounds on requests. */
  readonly limits: ServiceLimits;
  /** The JSON Schemas of the request bodies (`POST /recommend`, `POST /explain`). */
  readonly schemas: { recommend: JsonSchema; explain: JsonSchema };
  /** `POST /recommend`: `body` is the parsed JSON. Throws {@link RequestError}. */
  recommend(body: unknown): Promise<RecommendResponse>;
  /** `POST /explain`: `body` is the parsed JSON. Throws {@link RequestError}. */
  explain(body: unknown): Promise<ExplainResponse>;
  /** `GET /health`. */
  health(): HealthResponse;
  /** `GET /info`. */
  info(): InfoResponse;
  /** Refuses new requests (503) and resolves when those in progress are answered. */
  close(): Promise<void>;
}

/**
 * Creates the service for a model loaded once: a `MarsModel` (trained or loaded) or any
 * {@link ServedModel} (`servedPopularity`, `servedBprMf`, your own). The model stays yours to
 * dispose after {@link RecommendationService.close}.
 *
 * @example
 * ```ts
 * const model = await MarsModel.load('runs/news/model');
 * const service = createRecommendationService(model);
 * const { items } = await service.recommend({ history: ['n0012', 'n0450'], k: 5 });
 * ```
 */
export function createRecommendationService(
  model: RankingModel | ServedModel,
  options: RecommendationServiceOptions = {},
): RecommendationService {
  const served = 'hasItem' in model ? model : servedMarsModel(model);
  const limits = resolveServiceLimits(options.limits);
  const schemas = { recommend: recommendRequestSchema(limits), explain: explainRequestSchema(limits) };
  const users = options.users;
  const batcher = new RequestBatcher<
    RecommendationQuery,
    Awaited<ReturnType<ServedModel['recommendMany']>>[number]
  >((queries) => served.recommendMany(queries), limits.maxBatchSize);
  const started = performance.now();
  let closing = false;
  let inFlight = 0;
  const idle: (() => void)[] = [];

  const admit = async <T>(work: () => Promise<T>): Promise<T> => {
    if (closing) throw new RequestError(503, 'the service is shutting down');
    inFlight++;
    try {
      return await work();
    } finally {
      if (--inFlight === 0) for (const resolve of idle.splice(0)) resolve();
    }
  };

  /** The user's row and the history to use: the request's, else the user's training history. */
  const resolveHistory = (request: {
    history?: string[];
    user?: string;
  }): { history: string[]; user?: number; unknown: string[] } => {
    let user: number | undefined;
    if (request.user !== undefined) {
      user = users?.indexOf(request.user);
      if (user === undefined)
        throw new RequestError(
          404,
          `unknown user '${request.user}': not a user the model was trained on (send a history instead)`,
          'user',
        );
    }
    if (request.history === undefined && user === undefined)
      throw new RequestError(400, 'give a history (item ids) or a known user', 'history');
    const history = request.history ?? (users as KnownUsers).historyOf(user as number);
    const known: string[] = [];
    const unknown: string[] = [];
    for (const id of history) (served.hasItem(id) ? known : unknown).push(id);
    return { history: known, user, unknown };
  };

  const explainOne = async (
    history: string[],
    item: string,
    user: number | undefined,
  ): Promise<{ item: string; score: number; history: { id: string; weight: number }[] }> => {
    if (!served.explain)
      throw new RequestError(
        400,
        `explanations need a MARS model; this service serves ${served.kind}`,
        'explain',
      );
    if (history.length === 0)
      throw new RequestError(400, 'explain needs at least one history item the model knows', 'history');
    return served.explain(history, item, user);
  };

  return {
    limits,
    schemas,
    recommend: (body) =>
      admit(async () => {
        const request = validateBody<RecommendRequest>(body, schemas.recommend);
        const { history, user, unknown } = resolveHistory(request);
        if (served.needsUser && user === undefined)
          throw new RequestError(
            400,
            `a ${served.kind} model recommends only for users it was trained on: give a known user`,
            'user',
          );
        const exclude: string[] = [];
        for (const id of request.exclude ?? []) (served.hasItem(id) ? exclude : unknown).push(id);
        const k = request.k ?? 10;
        const ranking = await batcher.submit({ history, user, k, exclude });
        const items: RecommendedItem[] = request.explain
          ? await Promise.all(
              ranking.map(async (r) => ({
                ...r,
                attention: (await explainOne(history, r.id, user)).history,
              })),
            )
          : ranking.map((r) => ({ id: r.id, score: r.score }));
        return { items, unknownItems: [...new Set(unknown)] };
      }),
    explain: (body) =>
      admit(async () => {
        const request = validateBody<ExplainRequest>(body, schemas.explain);
        const { history, user, unknown } = resolveHistory(request);
        if (!served.hasItem(request.item))
          throw new RequestError(404, `unknown item '${request.item}': the model does not hold it`, 'item');
        const explanation = await explainOne(history, request.item, user);
        return { ...explanation, unknownItems: [...new Set(unknown)] };
      }),
    health: () => ({ status: closing ? 'closing' : 'ok' }),
    info: () => {
      const memory: InfoResponse['memory'] = {};
      const usage = globalThis.process?.memoryUsage?.();
      if (usage) {
        memory.rssBytes = usage.rss;
        memory.heapUsedBytes = usage.heapUsed;
      }
      const tensors = served.tensorCount?.();
      if (tensors !== undefined) memory.tensors = tensors;
      return {
        ...options.info,
        model: served.kind,
        items: served.itemCount,
        users: users?.count ?? 0,
        limits,
        details: served.describe(),
        batching: batcher.stats,
        uptimeSeconds: (performance.now() - started) / 1000,
        memory,
      };
    },
    close: async () => {
      closing = true;
      if (inFlight > 0) await new Promise<void>((resolve) => idle.push(resolve));
      await batcher.drain();
    },
  };
}
