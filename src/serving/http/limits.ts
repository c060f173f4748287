/**
 * Bounds on what one request may ask of the service. Requests past them get a 400 (413 for the
 * body size) naming the field, so one client cannot make the service score or allocate without
 * limit.
 */
export interface ServiceLimits {
  /** Largest request body, in bytes. Default 1 MiB. */
  maxBodyBytes: number;
  /** Most item ids in `history` (the model uses only its most recent `maxHistory`). Default 1,000 items. */
  maxHistoryLength: number;
  /** Most item ids in `exclude`. Default 10,000 items. */
  maxExcludeLength: number;
  /** Largest `k`. Default 1,000 items. */
  maxK: number;
  /** Longest item or user id, in characters. Default 256 characters. */
  maxIdLength: number;
  /** Most recommendation requests scored in one model call. Default 64 requests. */
  maxBatchSize: number;
}

/** The defaults of {@link ServiceLimits}. */
export const DEFAULT_SERVICE_LIMITS: Readonly<ServiceLimits> = Object.freeze({
  maxBodyBytes: 1024 * 1024,
  maxHistoryLength: 1000,
  maxExcludeLength: 10_000,
  maxK: 1000,
  maxIdLength: 256,
  maxBatchSize: 64,
});

/** Fills in the defaults of {@link ServiceLimits} and checks each bound is a positive integer. */
export function resolveServiceLimits(limits: Partial<ServiceLimits> = {}): ServiceLimits {
  const resolved = { ...DEFAULT_SERVICE_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`service limits: ${name} must be a positive integer, got ${String(value)}`);
  }
  return resolved;
}
