import type { ServiceLimits } from './limits';

/** Body of `POST /recommend`: a history of item ids, a known user, or both. */
export interface RecommendRequest {
  /** Item ids the user interacted with, oldest first; ids the model does not know are skipped and listed in the response. */
  history?: string[];
  /** A user the model was trained on: their training history when `history` is absent, and their learned user vector where the model has one. */
  user?: string;
  /** Number of items to return. Default 10. */
  k?: number;
  /** Item ids never to recommend (the history is always excluded too). */
  exclude?: string[];
  /** Add, per recommended item, the attention weight of each history item (MARS only). Default false. */
  explain?: boolean;
}

/** Body of `POST /explain`: how much each history item shaped one candidate's score. */
export interface ExplainRequest {
  /** Item ids the user interacted with, oldest first; unknown ids are skipped and listed. */
  history?: string[];
  /** A user the model was trained on (see {@link RecommendRequest.user}). */
  user?: string;
  /** The candidate item to explain. */
  item: string;
}

/** A JSON Schema (draft 7) object, as Fastify and Ajv take it. */
export type JsonSchema = Readonly<Record<string, unknown>>;

function idSchema(limits: ServiceLimits): JsonSchema {
  return { type: 'string', minLength: 1, maxLength: limits.maxIdLength };
}

/** The JSON Schema of {@link RecommendRequest} under the given limits. */
export function recommendRequestSchema(limits: ServiceLimits): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      history: { type: 'array', maxItems: limits.maxHistoryLength, items: idSchema(limits) },
      user: idSchema(limits),
      k: { type: 'integer', minimum: 1, maximum: limits.maxK },
      exclude: { type: 'array', maxItems: limits.maxExcludeLength, items: idSchema(limits) },
      explain: { type: 'boolean' },
    },
  };
}

/** The JSON Schema of {@link ExplainRequest} under the given limits. */
export function explainRequestSchema(limits: ServiceLimits): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['item'],
    properties: {
      history: { type: 'array', maxItems: limits.maxHistoryLength, items: idSchema(limits) },
      user: idSchema(limits),
      item: idSchema(limits),
    },
  };
}
