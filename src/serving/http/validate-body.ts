import { RequestError } from './request-error';
import type { JsonSchema } from './schemas';

/**
 * Checks a parsed JSON body against one of the service's schemas (`recommendRequestSchema`,
 * `explainRequestSchema`) and returns it typed, or throws a 400 {@link RequestError} naming the
 * first offending field. It reads the subset of JSON Schema those schemas use (object with
 * `properties`, `required` and `additionalProperties: false`; array with `items` and
 * `maxItems`; string with `minLength`/`maxLength`; integer with `minimum`/`maximum`; boolean),
 * so a service embedded without Fastify validates exactly as the HTTP server does.
 */
export function validateBody<T>(body: unknown, schema: JsonSchema): T {
  check(body, schema, '');
  return body as T;
}

function check(value: unknown, schema: JsonSchema, path: string): void {
  const where = path === '' ? 'the body' : path;
  const fail = (message: string): never => {
    throw new RequestError(400, `${where} ${message}`, path === '' ? undefined : path);
  };
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('must be a JSON object');
      const record = value as Record<string, unknown>;
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      for (const name of (schema.required ?? []) as string[])
        if (record[name] === undefined)
          throw new RequestError(400, `${join(path, name)} is required`, join(path, name));
      for (const [name, field] of Object.entries(record)) {
        const fieldSchema = Object.prototype.hasOwnProperty.call(properties, name)
          ? properties[name]
          : undefined;
        if (!fieldSchema) {
          if (schema.additionalProperties === false)
            throw new RequestError(
              400,
              `${join(path, name)} is not a known field (known: ${Object.keys(properties).join(', ')})`,
              join(path, name),
            );
          continue;
        }
        check(field, fieldSchema, join(path, name));
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) fail('must be an array');
      const items = value as unknown[];
      if (typeof schema.maxItems === 'number' && items.length > schema.maxItems)
        fail(`must have at most ${schema.maxItems} entries, got ${items.length}`);
      items.forEach((item, index) => check(item, schema.items as JsonSchema, `${path}[${index}]`));
      return;
    }
    case 'string': {
      if (typeof value !== 'string') fail(`must be a string, got ${describe(value)}`);
      // characters are code points, as JSON Schema counts them (a surrogate pair is one)
      let length = 0;
      for (const character of value as string) length += character.length > 0 ? 1 : 0;
      if (typeof schema.minLength === 'number' && length < schema.minLength)
        fail(`must have at least ${schema.minLength} character(s)`);
      if (typeof schema.maxLength === 'number' && length > schema.maxLength)
        fail(`must have at most ${schema.maxLength} characters, got ${length}`);
      return;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value))
        fail(`must be an integer, got ${describe(value)}`);
      const number = value as number;
      if (typeof schema.minimum === 'number' && number < schema.minimum)
        fail(`must be >= ${schema.minimum}, got ${number}`);
      if (typeof schema.maximum === 'number' && number > schema.maximum)
        fail(`must be <= ${schema.maximum}, got ${number}`);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail(`must be true or false, got ${describe(value)}`);
      return;
    default:
      throw new TypeError(`validateBody: schema type ${String(schema.type)} is not supported`);
  }
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
