/**
 * A key source over the proxy's published JSON Web Key Set, fetched by the gateway itself so it
 * controls every limit: https only (http for loopback, checked at startup), a fetch timeout, a
 * body size cap, no redirects, a cache, and a cooldown between fetches so a flood of tokens with
 * made-up key ids cannot turn into a flood of requests to the key endpoint.
 */
import { createLocalJWKSet, type CryptoKey, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';
import { KeysUnavailableError, keySetProblem, type KeySource, type Readiness } from './key-source.js';

export interface RemoteKeyOptions {
  url: string;
  now?: () => number;
  /** Whole fetch, headers and body. Default 5 s. */
  fetchTimeoutMs?: number;
  /** Largest key set accepted. Default 256 KiB. */
  maxBytes?: number;
  /** Least time between two fetches after a successful one. Default 30 s. */
  cooldownMs?: number;
  /** Least time between two fetches after a failed one. Default 5 s. */
  failureCooldownMs?: number;
  /** Age after which keys are refreshed in the background (still used meanwhile). Default 10 min. */
  maxAgeMs?: number;
  /** Age after which keys that could not be refreshed are no longer trusted. Default 24 h. */
  maxStaleMs?: number;
  /** Told about each fetch, for the log. */
  onEvent?: (e: KeyFetchEvent) => void;
}

export type KeyFetchEvent = { type: 'fetched'; url: string; keys: number } | { type: 'failed'; url: string; error: string };

export const REMOTE_KEY_DEFAULTS = {
  fetchTimeoutMs: 5_000,
  maxBytes: 256 * 1024,
  cooldownMs: 30_000,
  failureCooldownMs: 5_000,
  maxAgeMs: 10 * 60_000,
  maxStaleMs: 24 * 60 * 60_000,
} as const;

async function readCapped(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) throw new Error(`key set is ${declared} bytes; the limit is ${max}`);
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`key set exceeds ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class RemoteKeySource implements KeySource {
  private readonly o: Required<Omit<RemoteKeyOptions, 'onEvent'>> & Pick<RemoteKeyOptions, 'onEvent'>;
  private jwks: ReturnType<typeof createLocalJWKSet> | undefined;
  private fetchedAt = -Infinity;
  private lastAttempt = -Infinity;
  private lastFailed = false;
  private lastError = 'not fetched yet';
  private inflight: Promise<void> | undefined;

  constructor(options: RemoteKeyOptions) {
    this.o = { now: Date.now, ...REMOTE_KEY_DEFAULTS, ...options };
  }

  /** Fetches now (sharing a fetch already under way). Never rejects; see readiness(). */
  refresh(): Promise<void> {
    this.inflight ??= this.fetchOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  readiness(): Readiness {
    if (this.usable()) return { ready: true };
    // A readiness probe is also a chance to recover, within the cooldown.
    if (this.mayFetch()) void this.refresh();
    return { ready: false, detail: this.lastError };
  }

  async getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    if (!this.usable()) {
      await this.refreshIfAllowed();
      if (!this.usable()) throw new KeysUnavailableError(this.lastError);
    } else if (this.o.now() - this.fetchedAt > this.o.maxAgeMs && this.mayFetch()) {
      void this.refresh();
    }
    try {
      return await this.jwks!(header, token);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw err;
      // An unknown key id may be a key the proxy just rotated in: look again, within the cooldown.
      const fetched = await this.refreshIfAllowed();
      // The latest look at the key set failed: a new key cannot be told from a forged one.
      if (this.lastFailed) throw new KeysUnavailableError(this.lastError);
      if (!fetched) throw err;
      return this.jwks!(header, token);
    }
  }

  /** Joins or starts a fetch when the cooldown allows; true when a fetch was awaited. */
  private async refreshIfAllowed(): Promise<boolean> {
    if (this.inflight) {
      await this.inflight;
      return true;
    }
    if (!this.mayFetch()) return false;
    await this.refresh();
    return true;
  }

  private usable(): boolean {
    return this.jwks !== undefined && this.o.now() - this.fetchedAt <= this.o.maxStaleMs;
  }

  private mayFetch(): boolean {
    if (this.inflight) return false;
    const wait = this.lastFailed ? this.o.failureCooldownMs : this.o.cooldownMs;
    return this.o.now() - this.lastAttempt >= wait;
  }

  private async fetchOnce(): Promise<void> {
    this.lastAttempt = this.o.now();
    const url = this.o.url;
    try {
      const res = await fetch(url, {
        signal: AbortSignal.timeout(this.o.fetchTimeoutMs),
        // A redirect could lead anywhere, including plain http.
        redirect: 'error',
        headers: { accept: 'application/json, application/jwk-set+json' },
      });
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => undefined);
        throw new Error(`HTTP ${res.status}`);
      }
      const text = await readCapped(res, this.o.maxBytes);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error('the response is not JSON');
      }
      const problem = keySetProblem(parsed);
      if (problem) throw new Error(problem);
      this.jwks = createLocalJWKSet(parsed as JSONWebKeySet);
      this.fetchedAt = this.o.now();
      this.lastFailed = false;
      this.lastError = '';
      this.o.onEvent?.({ type: 'fetched', url, keys: (parsed as JSONWebKeySet).keys.length });
    } catch (err) {
      this.lastFailed = true;
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `timed out after ${this.o.fetchTimeoutMs} ms` : (e.cause?.message ?? e.cause?.code ?? e.message);
      this.lastError = `fetching ${url} failed: ${why}`;
      this.o.onEvent?.({ type: 'failed', url, error: this.lastError });
    }
  }
}
