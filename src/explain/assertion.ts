/**
 * The one part of `auth explain` that is not pure: verifying the described request's signed
 * assertion, the way the gateway would, with the proxy's real keys (fetched from jwksUrl, or read
 * from jwksFile). Runs only when the decision gets as far as the assertion.
 */
import type { ResolvedConfig } from '../config/load.js';
import type { ResolvedAssertion } from '../config/assertion.js';
import { beginTrustedProxy } from '../auth/trusted-proxy.js';
import { verifyAssertion, type AssertionOutcome } from '../auth/assertion/verify.js';
import type { KeySource } from '../auth/assertion/key-source.js';
import { createKeySource } from '../auth/assertion/load-keys.js';
import { explainVia } from './via.js';
import { compileAuthPolicy } from '../auth/policy.js';
import { parseHeaderArgs, wireHeaders } from './input.js';
import type { ExplainRequest } from './types.js';

export interface ExplainAssertionOptions {
  /** Builds the key source (test seam); defaults to the gateway's own, one fetch. */
  keys?: (assertion: ResolvedAssertion) => Promise<KeySource>;
  /** Milliseconds since the epoch; defaults to now. */
  now?: number;
}

/**
 * Verifies the request's assertion when the decision would reach that step; undefined otherwise
 * (no assertion configured, or an earlier step refuses). Never throws for an unverifiable token:
 * an unreadable key file or an unreachable key URL is the keys_unavailable outcome, as in the gateway.
 */
export async function explainAssertion(resolved: ResolvedConfig, req: ExplainRequest, opts: ExplainAssertionOptions = {}): Promise<AssertionOutcome | undefined> {
  const { via } = explainVia(resolved, req);
  const policy = compileAuthPolicy(resolved);
  if (policy.mode !== 'trusted-proxy' || !policy.assertion) return undefined;
  const begun = beginTrustedProxy(via, wireHeaders(parseHeaderArgs(req.headers ?? [])), policy);
  if (!begun.ok || begun.token === undefined) return undefined;
  let keys: KeySource;
  try {
    keys = await (opts.keys ?? ((a) => createKeySource(a)))(policy.assertion);
  } catch (err) {
    return { ok: false, failure: { reason: 'trusted_proxy_assertion_keys_unavailable' }, detail: `signing keys unavailable: ${(err as Error).message.replace(/\s+/g, ' ')}` };
  }
  return verifyAssertion(begun.token, begun.user, keys, policy.assertion, opts.now ?? Date.now());
}
