/**
 * The HTTP recommendation service: `createRecommendationService` (framework-free: validation,
 * unknown ids, batching), `startServer` / `recommendationPlugin` (Fastify, an optional peer
 * dependency), and the adapters of MARS and the baselines.
 * @packageDocumentation
 */
export { createRecommendationService } from './recommendation-service';
export type {
  ExplainResponse,
  HealthResponse,
  InfoResponse,
  RecommendationService,
  RecommendationServiceOptions,
  RecommendedItem,
  RecommendResponse,
} from './recommendation-service';
export { createRecommendationApp, recommendationPlugin, startServer } from './fastify-adapter';
export type { RunningServer, ServerLogOptions, ServerOptions, StartServerOptions } from './fastify-adapter';
export { DEFAULT_SERVICE_LIMITS, resolveServiceLimits } from './limits';
export type { ServiceLimits } from './limits';
export { explainRequestSchema, recommendRequestSchema } from './schemas';
export type { ExplainRequest, JsonSchema, RecommendRequest } from './schemas';
export { RequestError } from './request-error';
export { validateBody } from './validate-body';
export { RequestBatcher } from './request-batcher';
export type { BatcherStats } from './request-batcher';
export { knownUsersOfSplit } from './known-users';
export type { KnownUsers } from './known-users';
export { servedMarsModel } from './served-mars-model';
export type { RankingModel } from './served-mars-model';
export { servedBprMf, servedPopularity } from './served-baselines';
export { withoutExcluded } from './served-model';
export type { AttentionExplanation, Recommendation, RecommendationQuery, ServedModel } from './served-model';
