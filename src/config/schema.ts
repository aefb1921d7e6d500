/**
 * The configuration schema: the single source of truth for keys, types and defaults.
 * Every object is strict, so an unknown key is an error naming its path.
 */
import { z } from 'zod';
import { modelsSchema } from './models-schema.js';
import { AUTH_MODES } from '../protocol/identity.js';
import { authorizationSchema } from './authorization.js';
import { journalSchema } from './journal-schema.js';
import { metricsSchema } from './metrics-schema.js';
import { chatSchema } from './chat-schema.js';

export const DEFAULT_PORT = 18789;

const headerName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name (letters, digits and "-")')
  .transform((s) => s.toLowerCase());

const secret = z.string().min(1, 'must not be empty; remove the key to leave it unset');

export const rateLimitSchema = z
  .object({
    maxAttempts: z.number().int().min(1).default(10),
    windowMs: z.number().int().min(1).default(60_000),
    lockoutMs: z.number().int().min(0).default(300_000),
    exemptLoopback: z.boolean().default(true),
  })
  .strict();

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** The names a preset can fill in; see src/config/assertion.ts. */
export const ASSERTION_PRESETS = ['pomerium', 'cloudflare-access', 'google-iap'] as const;

/**
 * A signed identity assertion (a JWT from the proxy). Most keys are optional here because a
 * preset fills them; startup validation (src/config/assertion.ts) checks the combined result.
 * `algorithms` is a list of strings so that "none" and HS* get a precise refusal, not a generic one.
 */
export const assertionSchema = z
  .object({
    preset: z.enum(ASSERTION_PRESETS).optional(),
    header: headerName.optional(),
    jwksUrl: nonEmpty.optional(),
    jwksFile: nonEmpty.optional(),
    issuer: nonEmpty.optional(),
    audience: z.union([nonEmpty, z.array(nonEmpty).min(1, 'must list at least one audience')]).optional(),
    algorithms: z.array(z.string().trim()).min(1, 'must list at least one algorithm').optional(),
    userClaim: nonEmpty.optional(),
    groupsClaim: nonEmpty.optional(),
    userHeaderPrefix: z.string().min(1, 'must not be empty; remove the key to leave it unset').optional(),
    clockToleranceSec: z.number().int().min(0).max(300).default(30),
    maxTokenBytes: z.number().int().min(512).max(16384).default(8192),
  })
  .strict();

export const trustedProxySchema = z
  .object({
    userHeader: headerName.optional(),
    requiredHeaders: z.array(headerName).default([]),
    allowUsers: z.array(nonEmpty).default([]),
    assertion: assertionSchema.optional(),
    groupsHeader: headerName.optional(),
    groupsSeparator: z.string().min(1, 'must not be empty').max(8).default(','),
    allowGroups: z.array(nonEmpty).default([]),
  })
  .strict();

/** Longest session age accepted (30 days). */
export const MAX_SESSION_AGE_SEC = 30 * 24 * 3600;

export const authSchema = z
  .object({
    mode: z.enum(AUTH_MODES).default('token'),
    token: secret.optional(),
    password: secret.optional(),
    rateLimit: rateLimitSchema.prefault({}),
    trustedProxy: trustedProxySchema.prefault({}),
    /** Age after which a proxy-admitted WebSocket is closed (4001 session_expired); 0 = never. */
    sessionMaxAgeSec: z.number().int().min(0).max(MAX_SESSION_AGE_SEC).default(12 * 3600),
  })
  .strict();

/** Bounds on WebSocket connections; see docs/configuration.md. */
export const limitsSchema = z
  .object({
    maxConnections: z.number().int().min(1).max(1_000_000).default(1000),
    maxUnauthenticated: z.number().int().min(1).max(1_000_000).default(100),
    maxConnectionsPerAddress: z.number().int().min(1).max(1_000_000).default(100),
    maxUnauthenticatedPerAddress: z.number().int().min(1).max(1_000_000).default(10),
    handshakeTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    maxFrameBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
    maxFramesPerSecond: z.number().int().min(1).max(1_000_000).default(50),
    frameBurst: z.number().int().min(1).max(1_000_000).default(100),
    maxBufferedBytes: z.number().int().min(16 * 1024).max(256 * 1024 * 1024).default(1024 * 1024),
  })
  .strict();

export const controlUiSchema = z
  .object({
    enabled: z.boolean().default(true),
    allowedOrigins: z.array(z.string().trim().min(1)).default([]),
  })
  .strict();

export const gatewaySchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
    bind: z.enum(['loopback', 'lan', 'custom']).default('loopback'),
    customBindHost: z.string().trim().min(1).optional(),
    trustedProxies: z.array(z.string()).default([]),
    allowRealIpFallback: z.boolean().default(false),
    /** Host names served besides loopback names (DNS-rebinding defence); see src/auth/host.ts. */
    allowedHosts: z.array(z.string().trim().min(1, 'must not be empty')).default([]),
    auth: authSchema.prefault({}),
    /** Operator scopes; unset = the auth mode's defaults (src/config/authorization.ts, src/authz/). */
    authorization: authorizationSchema.optional(),
    controlUi: controlUiSchema.prefault({}),
    limits: limitsSchema.prefault({}),
    metrics: metricsSchema.prefault({}),
  })
  .strict();

export const configSchema = z
  .object({
    gateway: gatewaySchema.prefault({}),
    models: modelsSchema.optional(),
    chat: chatSchema.prefault({}),
    journal: journalSchema.prefault({}),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type AuthMode = Config['gateway']['auth']['mode'];
export type AssertionConfig = z.output<typeof assertionSchema>;

/**
 * Keys that hold secrets: never printed, never logged. Dotted patterns, where `*` stands for any
 * one key (a provider's name); test them with isSecretPath (src/config/secrets.ts).
 */
export const SECRET_PATHS: readonly string[] = Object.freeze(['gateway.auth.token', 'gateway.auth.password', 'models.providers.*.apiKey']);

type AnySchema = z.ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let s = schema as AnySchema & { def: { type: string; innerType?: AnySchema; in?: AnySchema } };
  for (;;) {
    const t = s.def.type;
    if ((t === 'optional' || t === 'default' || t === 'prefault' || t === 'nullable') && s.def.innerType) {
      s = s.def.innerType as typeof s;
    } else if (t === 'pipe' && s.def.in) {
      s = s.def.in as typeof s;
    } else {
      return s;
    }
  }
}

/**
 * The keys an object in the schema accepts at a path (for did-you-mean), or [] if not an object.
 * Inside a map of named entries (`models.providers`), any name leads to the entry's schema.
 */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let s: AnySchema = configSchema;
  for (const key of path) {
    const u = unwrap(s) as AnySchema & { def: { type: string; shape?: Record<string, AnySchema>; element?: AnySchema; valueType?: AnySchema } };
    if (u.def.type === 'object' && u.def.shape && typeof key === 'string' && u.def.shape[key]) s = u.def.shape[key]!;
    else if (u.def.type === 'array' && u.def.element && typeof key === 'number') s = u.def.element;
    else if (u.def.type === 'record' && u.def.valueType && typeof key === 'string') s = u.def.valueType;
    else return [];
  }
  const u = unwrap(s) as AnySchema & { def: { type: string; shape?: Record<string, AnySchema> } };
  return u.def.type === 'object' && u.def.shape ? Object.keys(u.def.shape) : [];
}
