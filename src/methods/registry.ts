/**
 * The WebSocket methods, each declared once: its name, the scope it needs, a zod schema for its
 * params and its handler. The WebSocket adapter only moves frames; calling a method (looking it up,
 * checking the caller's scopes, validating its params, turning a throw into INTERNAL) is done
 * here, by invoke(): the one place a WebSocket request is allowed or refused.
 */
import { z } from 'zod';
import type { ResponseError } from '../protocol/frames.js';
import type { Identity } from '../protocol/identity.js';
import type { PresenceEntry } from '../protocol/presence.js';
import { frameError, scopeMissingError } from '../protocol/reasons.js';
import { allows, isScope, SCOPES, type Scope, type ScopeList } from '../protocol/scopes.js';
import type { Generation } from '../reload/generation.js';
import type { DatabaseState } from '../store/state.js';
import type { JournalSink } from '../journal/sink.js';
import type { GatewayLogs } from '../logs/index.js';
import type { GatewayMetrics } from '../metrics/seam.js';
import type { ChatRuns } from '../chat/runs.js';

/**
 * The scope a caller needs: null for what any admitted session may ask (`health`, `whoami`),
 * operator.read to read the gateway's state and one's own things, operator.write to act on one's
 * own things, operator.admin for configuration, logs, the journal, the audit and other people's
 * sessions (docs/authorization.md). HTTP routes declare theirs the same way.
 */
export type MethodScope = Scope | null;

/**
 * Throws unless `scope` is null or a known scope: the type already requires a declaration, and
 * this catches one that slipped past it (a plain-JS caller, a cast, a misspelt name from data).
 */
export function assertDeclaredScope(kind: 'method' | 'route', name: string, scope: unknown): asserts scope is MethodScope {
  if (scope === null || isScope(scope)) return;
  const shown = scope === undefined ? 'no scope' : `scope ${JSON.stringify(scope)}`;
  throw new Error(`${kind} "${name}" declares ${shown}; declare null (no scope needed) or one of ${SCOPES.join(', ')}`);
}

/** What a method may read of the running gateway. */
export interface GatewayFacts {
  readonly version: string;
  /** When the gateway started (ms, the gateway clock). */
  readonly startedAt: number;
  now(): number;
  readonly port: number;
  /** The configuration generation in force (read once per call). */
  readonly generation: Generation;
  /** Sessions that completed `connect`. */
  readonly clients: number;
  readonly presence: { snapshot(): Readonly<{ entries: readonly PresenceEntry[] }> };
  /** The database opened at startup (chat store), or why it is unavailable. */
  readonly database: DatabaseState;
  /** Where a method records a state-changing action (a no-op sink when there is no journal). */
  readonly journal: JournalSink;
  /** The gateway's own latest log lines and the sessions following them (`logs.tail`). */
  readonly logs: GatewayLogs;
  /** Where a method counts what `GET /metrics` reports (a no-op when metrics are off). */
  readonly metrics: GatewayMetrics;
  /** Chat runs in progress: started, stopped and counted here (src/chat/). */
  readonly chat: ChatRuns;
}

/** What a handler is called with, besides its params. */
export interface MethodContext {
  /**
   * The caller's session: the identity it connected with, and its scopes now (computed at connect,
   * recomputed when a reload changes the rules; never from anything the client sent).
   */
  readonly session: { readonly connId: string; readonly identity: Identity; readonly scopes: ScopeList };
  readonly gateway: GatewayFacts;
  /** Sends an event to the caller's session. */
  emit(event: string, payload: unknown): void;
  /** Sends an event to every open session of `identity` (the same user, signed in the same way). */
  emitTo(identity: Identity, event: string, payload: unknown): void;
}

/** One method. `scope` is required: a method cannot be registered without saying who may call it. */
export interface MethodDeclaration<P = unknown> {
  readonly name: string;
  readonly scope: MethodScope;
  /** Validates `params` (absent params are `undefined`); the handler gets the parsed value. */
  readonly params: z.ZodType<P>;
  /** Returns the response payload, or a promise of it; a throw or rejection is answered INTERNAL. */
  readonly handler: (ctx: MethodContext, params: P) => unknown;
}

/**
 * The params of a method that takes none: whatever is sent is ignored, as it was before the
 * registry (a later protocol version may refuse it).
 */
export const NO_PARAMS: z.ZodType<undefined> = z.unknown().transform(() => undefined);

/**
 * A refusal a handler returns (or resolves to) instead of a payload: answered as an error frame
 * with this error (`session_not_found`, `session_busy`, a store code...). Make one with {@link fail}.
 */
export class MethodFailure {
  constructor(readonly error: ResponseError) {}
}

/** The handler's way to answer with an error: `return fail(requestError('session_not_found'))`. */
export function fail(error: ResponseError): MethodFailure {
  return new MethodFailure(error);
}

const settled = (payload: unknown): MethodResult => (payload instanceof MethodFailure ? { ok: false, error: payload.error } : { ok: true, payload });

/** Declares a method, inferring its params type from the schema. */
export function method<P>(declaration: MethodDeclaration<P>): MethodDeclaration<P> {
  return Object.freeze(declaration);
}

export type MethodResult = { ok: true; payload: unknown } | { ok: false; error: ResponseError };

/** A declaration of any params type, as the registry holds them (each call is checked by its own schema). */
export type AnyMethod = MethodDeclaration<any>;

const failed = (): MethodResult => ({ ok: false, error: frameError('internal', 'the method failed') });

export class MethodRegistry {
  private readonly byName = new Map<string, AnyMethod>();

  /**
   * Throws on a repeated name, and on a declaration without a known scope (null or a scope name):
   * programming errors, found by the registry's test before anything runs.
   */
  constructor(declarations: readonly AnyMethod[]) {
    for (const d of declarations) {
      assertDeclaredScope('method', d.name, (d as { scope?: unknown }).scope);
      if (this.byName.has(d.name)) throw new Error(`method "${d.name}" is declared twice`);
      this.byName.set(d.name, d);
    }
  }

  get(name: string): AnyMethod | undefined {
    return this.byName.get(name);
  }

  /** Every declared method, in declaration order. */
  get declarations(): readonly AnyMethod[] {
    return [...this.byName.values()];
  }

  /**
   * Calls `name` with `params`: UNKNOWN_METHOD when there is no such method, FORBIDDEN
   * (`scope_missing`) when the caller's scopes lack the one it declares (before its params are
   * looked at, so a refused caller learns nothing about them), INVALID_PARAMS (naming the field)
   * when the params do not match its schema, INTERNAL when the handler throws or its promise
   * rejects. A Promise only when the handler returns one.
   */
  invoke(name: string, params: unknown, ctx: MethodContext): MethodResult | Promise<MethodResult> {
    const m = this.get(name);
    if (!m) return { ok: false, error: frameError('unknown_method', `unknown method "${name}"; available: ${[...this.byName.keys()].join(', ')}`) };
    const needed = m.scope;
    const scopes = ctx.session.scopes;
    if (needed !== null && !allows(scopes, needed)) return { ok: false, error: scopeMissingError(name, needed, scopes) };
    const parsed = m.params.safeParse(params);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return { ok: false, error: frameError('invalid_params', `invalid ${name} params${first ? ` at ${first.path.join('.') || '(root)'}: ${first.message}` : ''}`) };
    }
    let out: unknown;
    try {
      out = m.handler(ctx, parsed.data);
    } catch {
      return failed();
    }
    if (out instanceof Promise) return out.then(settled, failed);
    return settled(out);
  }
}
