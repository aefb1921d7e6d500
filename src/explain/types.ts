/**
 * What `mayros auth explain` takes and returns, as data (the CLI renders it; `--json` prints it).
 */
import type { ConfigIssue } from '../config/errors.js';
import type { AuthMode } from '../config/schema.js';
import type { Grant } from '../authz/explain.js';
import type { ScopeList } from '../protocol/scopes.js';

export interface ExplainRequest {
  /** The TCP peer address the gateway would see (not with `unix`). */
  from?: string;
  /** The request arrives on the gateway's Unix socket (gateway.listen.unixSocket). */
  unix?: boolean;
  /** A PEM file with the TLS client certificate the request presents (and any intermediates after it). */
  clientCert?: string;
  /** Headers as `Name: value`; a repeated name is kept as several values. */
  headers?: readonly string[];
  /** A bearer credential (never echoed). Without it, a single `Authorization: Bearer` header is used. */
  bearer?: string;
}

/** pass/fail: a decision step; not-reached: skipped after a failure; note: context, no decision. */
export type StepResult = 'pass' | 'fail' | 'not-reached' | 'note';

export interface ExplainStep {
  step: string;
  result: StepResult;
  detail: string;
  entry?: string;
  header?: string;
  user?: string;
}

export interface ExplainOutcome {
  /** The auth decision (what an HTTP request gets). */
  ok: boolean;
  user?: string | null;
  method?: AuthMode;
  /** When admitted: the user's groups (empty without a groups source). */
  groups?: readonly string[];
  /** When admitted: the operator scopes, sorted and expanded (gateway.authorization). */
  scopes?: ScopeList;
  /** When admitted: for each scope, every source that grants it (a rule, or the default). */
  grants?: readonly Grant[];
  /** When admitted: whether the default comes from gateway.authorization.defaultScopes or the auth mode. */
  defaultScopesFrom?: 'defaultScopes' | 'mode';
  /** For a refusal: the reason, its wire code, and the sentences the gateway sends. */
  reason?: string;
  code?: string;
  message?: string;
  fix?: string;
  docs?: string;
  http: { status: number; errorType?: string };
  /** A WebSocket also passes the browser origin check first; refusals close the socket. */
  websocket: { admitted: boolean; code?: string; closeCode?: number; stage?: 'upgrade' | 'connect' };
}

export interface Explanation {
  file: string;
  mode: AuthMode;
  /** Why the gateway would refuse to start with this config; empty when it would start. */
  startupIssues: ConfigIssue[];
  request: {
    /** The peer address, or "the Unix socket <path>". */
    from: string;
    /** How it arrives: the Unix socket, plain TCP, or TLS (with the client certificate's state and names). */
    transport: 'unix' | 'tcp' | 'tls';
    clientCert?: string;
    headers: Record<string, string | string[]>;
    bearer: 'presented' | 'absent';
  };
  steps: ExplainStep[];
  outcome: ExplainOutcome;
}
