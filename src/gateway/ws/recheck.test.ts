import { describe, expect, it } from 'vitest';
import { viaTcp } from '../../net/transport.js';
import { resolvedConfig } from '../../config/load.js';
import { parseConfigObject } from '../../config/parse.js';
import { buildGeneration } from '../../reload/generation.js';
import { recheckSession } from './recheck.js';
import type { AdmissionFacts } from './session.js';

function gen(gateway: Record<string, unknown>) {
  const resolved = resolvedConfig({ file: '/x.json', fileFound: true, stateDir: '/tmp', config: parseConfigObject({ gateway }), sources: new Map() });
  return buildGeneration(resolved, { n: 2, now: 0 });
}

const proxy = (trustedProxies: string[], tp: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  gen({ trustedProxies, auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-user', ...tp } }, ...extra });

const alice: AdmissionFacts = { via: viaTcp('127.0.0.1'), at: 0, headers: { 'x-user': ['alice'], host: ['127.0.0.1:1'] } };

describe('recheckSession', () => {
  it.each([
    ['still allowed', proxy(['127.0.0.1'], { allowUsers: ['alice'] }), { keep: true }],
    ['user removed from allowUsers', proxy(['127.0.0.1'], { allowUsers: ['bob'] }), { keep: false, failure: { reason: 'trusted_proxy_user_not_allowed' } }],
    ['proxy address removed', proxy(['127.0.0.2'], {}), { keep: false, failure: { reason: 'trusted_proxy_untrusted_source' } }],
    ['a required header added that the session never sent', proxy(['127.0.0.1'], { requiredHeaders: ['x-forwarded-proto'] }), { keep: false, failure: { reason: 'trusted_proxy_missing_header', header: 'x-forwarded-proto' } }],
    ['user header renamed', proxy(['127.0.0.1'], { userHeader: 'x-email' }), { keep: false, failure: { reason: 'trusted_proxy_user_missing' } }],
    ['mode switched to token', gen({ auth: { mode: 'token', token: 'abcdefghijklmnop' } }), { keep: false, failure: { reason: 'token_missing' } }],
    ['mode switched to none', gen({ auth: { mode: 'none' } }), { keep: true }],
  ])('connected trusted-proxy session, %s', (_name, g, verdict) => {
    expect(recheckSession(alice, true, g)).toMatchObject(verdict);
  });

  it('re-runs the browser origin check', () => {
    const browser: AdmissionFacts = { via: viaTcp('127.0.0.1'), at: 0, headers: { 'x-user': ['alice'], host: ['gw:1'], origin: ['https://console.example.com'] } };
    expect(recheckSession(browser, true, proxy(['127.0.0.1'], {}, { allowedHosts: ['gw'], controlUi: { allowedOrigins: ['https://console.example.com'] } }))).toMatchObject({ keep: true });
    expect(recheckSession(browser, true, proxy(['127.0.0.1'], {}, { allowedHosts: ['gw'] }))).toEqual({ keep: false, failure: { reason: 'origin_not_allowed' } });
  });

  it('re-runs the Host check: a name removed from allowedHosts closes the session', () => {
    const viaProxy: AdmissionFacts = { via: viaTcp('127.0.0.1'), at: 0, headers: { 'x-user': ['alice'], host: ['mayros.example.com'] } };
    expect(recheckSession(viaProxy, true, proxy(['127.0.0.1'], {}, { allowedHosts: ['mayros.example.com'] }))).toMatchObject({ keep: true });
    expect(recheckSession(viaProxy, true, proxy(['127.0.0.1'], {}))).toEqual({ keep: false, failure: { reason: 'host_not_allowed' } });
  });

  it('checks a token session with the secret it connected with, ignoring any lockout', () => {
    const facts: AdmissionFacts = { via: viaTcp('127.0.0.9'), at: 0, headers: {}, credentials: { token: 'first-token-123456' } };
    expect(recheckSession(facts, true, gen({ auth: { mode: 'token', token: 'first-token-123456' } }))).toMatchObject({ keep: true });
    expect(recheckSession(facts, true, gen({ auth: { mode: 'token', token: 'second-token-12345' } }))).toEqual({ keep: false, failure: { reason: 'token_mismatch' } });
  });

  it('leaves a pending session to its connect frame in token mode, and decides it now in trusted-proxy mode', () => {
    expect(recheckSession(alice, false, gen({ auth: { mode: 'token', token: 'abcdefghijklmnop' } }))).toEqual({ keep: true, preAuthorized: undefined });
    expect(recheckSession(alice, false, proxy(['127.0.0.1'], {}))).toMatchObject({ keep: true, preAuthorized: { user: 'alice', method: 'trusted-proxy' } });
    expect(recheckSession(alice, false, proxy(['127.0.0.2'], {}))).toMatchObject({ keep: false });
  });
});
