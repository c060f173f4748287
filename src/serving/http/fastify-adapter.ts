// The one file that imports the HTTP framework (Fastify, an optional peer dependency).
import type * as FastifyModule from 'fastify';
import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import type { RecommendationService } from './recommendation-service';
import { RequestError } from './request-error';
import { validateBody } from './validate-body';

/** Where the structured (JSON lines) logs go, and how much of them. */
export interface ServerLogOptions {
  /** Lowest level written. Default `info` (one line per request and response). */
  level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Destination of the JSON lines. Default stdout. */
  stream?: { write(line: string): void };
}

/** Options of {@link createRecommendationApp} and {@link startServer}. */
export interface ServerOptions {
  /** Logs: options, or false for none. Default `{ level: 'info' }` to stdout. */
  logger?: ServerLogOptions | false;
  /** Log a line per request and per response (Fastify's request logging). Default true. */
  logRequests?: boolean;
  /** Milliseconds a client has to send a whole request (slow clients get 408). Default 10,000 ms. */
  requestTimeoutMs?: number;
  /** Milliseconds an idle keep-alive connection stays open. Default 5,000 ms. */
  keepAliveTimeoutMs?: number;
}

/** Options of {@link startServer}. */
export interface StartServerOptions extends ServerOptions {
  /** Port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1` (this machine only); `0.0.0.0` for all. */
  host?: string;
  /**
   * Close gracefully on these signals: stop accepting, answer the requests in progress, then
   * resolve `closed`. Default `['SIGTERM', 'SIGINT']`; `[]` to handle signals yourself.
   */
  signals?: NodeJS.Signals[];
}

/** A listening server from {@link startServer}. */
export interface RunningServer {
  /** The Fastify instance. */
  app: FastifyInstance;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Stops accepting connections, answers the requests in progress, then resolves. */
  close(): Promise<void>;
  /** Resolves once the server has closed (by {@link RunningServer.close} or a signal). */
  closed: Promise<void>;
}

/** The npm package the HTTP service runs on (an optional peer dependency of mars-rec). */
export const FASTIFY_PACKAGE = 'fastify';

/**
 * Loads Fastify, or fails with an error that names the package and how to install it.
 * @param packageName - the module to import (tests pass a missing one).
 * @internal
 */
export async function loadFastify(packageName: string = FASTIFY_PACKAGE): Promise<typeof FastifyModule> {
  try {
    const loaded = (await import(/* @vite-ignore */ packageName)) as Partial<typeof FastifyModule>;
    if (typeof loaded.default !== 'function')
      throw new Error(`the package '${packageName}' has no default export`);
    return loaded as typeof FastifyModule;
  } catch (error) {
    throw new Error(
      `The HTTP service needs the optional package '${packageName}', which could not be loaded ` +
        `(${(error as Error).message.split('\n')[0]}). Install it with: npm install ${FASTIFY_PACKAGE}@^5`,
    );
  }
}

/** Body of every error answer. */
interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
}

function errorBody(statusCode: number, message: string, field?: string): ErrorBody {
  const error =
    (
      {
        400: 'Bad Request',
        404: 'Not Found',
        408: 'Request Timeout',
        413: 'Payload Too Large',
        415: 'Unsupported Media Type',
        503: 'Service Unavailable',
      } as Record<number, string>
    )[statusCode] ?? (statusCode >= 500 ? 'Internal Server Error' : 'Error');
  return field === undefined ? { statusCode, error, message } : { statusCode, error, message, field };
}

/** Turns any error of a route into an answer that says what was wrong, never a stack. */
function answerError(
  service: RecommendationService,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  if (error instanceof RequestError)
    return reply.code(error.statusCode).send(errorBody(error.statusCode, error.message, error.field));
  if (error.validation) {
    // Fastify's Ajv found the body invalid; the service's own validator names the field the same way
    const schema = request.routeOptions.url?.endsWith('/explain')
      ? service.schemas.explain
      : service.schemas.recommend;
    try {
      validateBody(request.body, schema);
    } catch (described) {
      if (described instanceof RequestError)
        return reply.code(400).send(errorBody(400, described.message, described.field));
    }
    return reply.code(400).send(errorBody(400, `invalid request: ${error.message}`));
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) {
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody(500, 'internal error (see the server log)'));
  }
  const messages: Record<string, string> = {
    FST_ERR_CTP_INVALID_MEDIA_TYPE: "send the body as JSON with 'Content-Type: application/json'",
    FST_ERR_CTP_EMPTY_JSON_BODY: 'the body is empty; send a JSON object',
    FST_ERR_CTP_BODY_TOO_LARGE: `the body is larger than the limit of ${service.limits.maxBodyBytes} bytes`,
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'the Content-Length header does not match the body',
  };
  const message =
    messages[error.code] ??
    (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
      ? `the body is not valid JSON: ${error.message}`
      : error.message);
  return reply.code(status).send(errorBody(status, message));
}

/**
 * The service's routes as a Fastify plugin, to register in your own Fastify app (with a
 * `prefix` if you like): `POST /recommend`, `POST /explain`, `GET /health`, `GET /info`.
 * Bodies are validated against the service's JSON Schemas; errors answer
 * `{ statusCode, error, message, field }`.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { MarsModel } from 'mars-rec';
 * import { createRecommendationService, recommendationPlugin } from 'mars-rec/http';
 *
 * const model = await MarsModel.load('./my-model');
 * const app = Fastify({ logger: true });
 * await app.register(recommendationPlugin(createRecommendationService(model)), { prefix: '/rec' });
 * await app.listen({ port: 3000 }); // POST /rec/recommend, POST /rec/explain, GET /rec/health, GET /rec/info
 * ```
 */
export function recommendationPlugin(service: RecommendationService): FastifyPluginAsync {
  return async (app) => {
    app.removeContentTypeParser('text/plain'); // bodies are JSON only: anything else is a 415
    app.setErrorHandler((error: FastifyError, request, reply) => answerError(service, error, request, reply));
    app.post('/recommend', { schema: { body: service.schemas.recommend } }, async (request) => {
      const answer = await service.recommend(request.body);
      request.log.debug(
        { items: answer.items.length, unknownItems: answer.unknownItems.length },
        'recommended',
      );
      return answer;
    });
    app.post('/explain', { schema: { body: service.schemas.explain } }, (request) =>
      service.explain(request.body),
    );
    app.get('/health', (_request, reply) => {
      const health = service.health();
      return reply.code(health.status === 'ok' ? 200 : 503).send(health);
    });
    app.get('/info', () => service.info());
    app.addHook('onClose', () => service.close());
  };
}

/**
 * A Fastify app serving `service` at the root, with the service's body limit, strict JSON
 * Schema validation (no type coercion, unknown fields refused), request timeouts and
 * structured JSON logs. Call `listen` yourself, or use {@link startServer}.
 *
 * @example
 * ```ts
 * import { PopularityRecommender } from 'mars-rec';
 * import { createRecommendationApp, createRecommendationService, servedPopularity } from 'mars-rec/http';
 *
 * const served = servedPopularity(PopularityRecommender.fromCounts(Float32Array.of(5, 9, 2)), ['a', 'b', 'c']);
 * const app = await createRecommendationApp(createRecommendationService(served), { logger: false });
 * const response = await app.inject({ method: 'POST', url: '/recommend', payload: { history: ['b'], k: 1 } });
 * console.log(response.json()); // { items: [{ id: 'a', score: 5 }], unknownItems: [] }
 * await app.close();
 * ```
 */
export async function createRecommendationApp(
  service: RecommendationService,
  options: ServerOptions = {},
): Promise<FastifyInstance> {
  const { default: fastify, LogController } = await loadFastify();
  const log = options.logger ?? {};
  const requestLogging =
    options.logRequests !== false
      ? {}
      : LogController // newer Fastify 5 releases; older ones take the top-level option
        ? { logController: new LogController({ disableRequestLogging: true }) }
        : { disableRequestLogging: true };
  const app = fastify({
    ...requestLogging,
    logger:
      log === false ? false : { level: log.level ?? 'info', ...(log.stream ? { stream: log.stream } : {}) },
    bodyLimit: service.limits.maxBodyBytes,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false },
    },
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        errorBody(
          404,
          `no route ${request.method} ${request.url}; routes: POST /recommend, POST /explain, GET /health, GET /info`,
        ),
      ),
  );
  await app.register(recommendationPlugin(service));
  return app;
}

/**
 * Serves `service` over HTTP until closed: listens, logs the address, and on SIGTERM or
 * SIGINT stops accepting, answers the requests in progress and closes (the process can then
 * exit on its own).
 *
 * @example
 * ```ts
 * import { MarsModel } from 'mars-rec';
 * import { createRecommendationService, startServer } from 'mars-rec/http';
 *
 * const model = await MarsModel.load('./my-model');
 * const server = await startServer(createRecommendationService(model), { port: 8080 });
 * console.log(`listening on ${server.url}`); // curl -d '{"history":["1","34"],"k":5}' -H 'Content-Type: application/json' URL/recommend
 * await server.closed; // until SIGTERM or SIGINT: the requests in progress are answered first
 * model.dispose();
 * ```
 */
export async function startServer(
  service: RecommendationService,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const app = await createRecommendationApp(service, options);
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let closing: Promise<void> | undefined;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    app.log.info({ signal }, 'shutting down: answering the requests in progress');
    void close();
  };
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const signal of signals) process.off(signal, onSignal);
      await app.close();
      app.log.info('closed');
      markClosed();
    })();
    return closing;
  };
  const address = await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  for (const signal of signals) process.on(signal, onSignal);
  return { app, url: address, close, closed };
}
