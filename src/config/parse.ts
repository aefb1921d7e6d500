/**
 * Schema parsing: raw object -> typed Config, or a ConfigError naming every bad field.
 */
import type { z } from 'zod';
import { configSchema, knownKeysAt, type Config } from './schema.js';
import { ConfigError, didYouMean, type ConfigIssue } from './errors.js';

function dotted(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/** "a string", "an array", "an object": the indefinite article for a type name. */
function withArticle(type: string): string {
  return `${/^[aeiou]/i.test(type) ? 'an' : 'a'} ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : typeof value;
}

function issueToConfigIssues(issue: z.core.$ZodIssue, raw: unknown): ConfigIssue[] {
  const path = dotted(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(issue.path);
      return issue.keys.map((key) => {
        const guess = didYouMean(key, known);
        return {
          path: path ? `${path}.${key}` : key,
          message: `unknown key "${key}"`,
          fix: guess ? `did you mean "${guess}"?` : known.length ? `remove it; keys allowed here: ${known.join(', ')}` : 'remove it',
        };
      });
    }
    case 'invalid_value':
      return [{ path, message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`, fix: `set ${path} to one of those values` }];
    case 'invalid_type': {
      let actual: unknown = raw;
      for (const k of issue.path) actual = actual && typeof actual === 'object' ? (actual as Record<PropertyKey, unknown>)[k] : undefined;
      return [{ path, message: `expected ${issue.expected}, got ${describe(actual)}`, fix: `give ${path} ${withArticle(issue.expected)} value` }];
    }
    case 'custom': {
      // A schema rule can carry its own fix (see src/config/models-schema.ts).
      const fix = (issue.params as { fix?: unknown } | undefined)?.fix;
      return [{ path, message: issue.message, fix: typeof fix === 'string' ? fix : `correct ${path}` }];
    }
    default:
      return [{ path, message: issue.message, fix: `correct ${path}` }];
  }
}

/** Parses a raw config object against the schema. Throws ConfigError listing every problem. */
export function parseConfigObject(raw: unknown, file?: string): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.flatMap((i) => issueToConfigIssues(i, raw)), file);
}
