import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { validated } from '../config/validate.js';
import type { ConfigInput } from '../config/schema.js';
import { VIA_UNIX, viaTcp, type ClientCert, type Via } from '../net/transport.js';
import { wireCode } from '../protocol/reasons.js';
import { authorize } from './authorize.js';
import { compileAuthPolicy, type TrustedProxyPolicy } from './policy.js';
import { allowedCertName, fromTrustedProxy, sourceFailure } from './source.js';
import type { TraceStep } from './types.js';

function policy(gateway: NonNullable<ConfigInput['gateway']>) {
  return compileAuthPolicy(validated(parseConfigObject({ gateway })));
}

const TLS = { cert: '/c.pem', key: '/k.pem', clientCa: '/ca.pem' };
const tp = (trustedProxy: Record<string, unknown> = {}) => ({ mode: 'trusted-proxy' as const, trustedProxy: { userHeader: 'x-forwarded-user', ...trustedProxy } });
/** Address only (a same-host proxy over TCP, with a Unix socket beside it). */
const ADDRESS = policy({ trustedProxies: ['127.0.0.1'], listen: { unixSocket: { path: '/run/gw.sock' } }, auth: tp() });
/** Socket only: no TCP peer is trusted. */
const SOCKET = policy({ listen: { unixSocket: { path: '/run/gw.sock' } }, auth: tp() });
/** Certificate only. */
const CERT = policy({ bind: 'lan', tls: TLS, auth: tp({ clientCert: { allowedNames: ['mayros-proxy', 'Proxy.Example.com', 'spiffe://example.org/proxy'] } }) });
/** Address and certificate. */
const BOTH = policy({ bind: 'lan', trustedProxies: ['10.0.0.7'], tls: TLS, auth: tp({ clientCert: { allowedNames: ['mayros-proxy'] } }) });

const valid = (cn: string[], dns: string[] = [], uri: string[] = []): ClientCert => ({ state: 'valid', names: { cn, dns, uri }, anchor: 'AA:BB' });
const tls = (peer: string, cert: ClientCert): Via => ({ kind: 'tls', peer, cert });
const user = { 'x-forwarded-user': 'nick@example.com' };
const code = (p: ReturnType<typeof policy>, via: Via) => {
  const r = authorize({ via, headers: user, surface: 'http' }, p);
  return r.ok ? `ok:${r.identity.user}` : wireCode(r.failure);
};

describe('the source step reads the transport fact, never a header', () => {
  it.each<[string, ReturnType<typeof policy>, Via, string]>([
    ['the Unix socket is the proxy by construction', SOCKET, VIA_UNIX, 'ok:nick@example.com'],
    ['the Unix socket, with an address list that does not name it', ADDRESS, VIA_UNIX, 'ok:nick@example.com'],
    ['socket only: TCP from loopback is refused, whatever it sends', SOCKET, viaTcp('127.0.0.1'), 'trusted_proxy_untrusted_source'],
    ['address: a listed peer', ADDRESS, viaTcp('127.0.0.1'), 'ok:nick@example.com'],
    ['address: another loopback address', ADDRESS, viaTcp('127.0.0.2'), 'trusted_proxy_untrusted_source'],
    ['certificate only: the CN is listed, from any address', CERT, tls('192.0.2.1', valid(['mayros-proxy'])), 'ok:nick@example.com'],
    ['certificate only: a DNS name, compared regardless of case', CERT, tls('192.0.2.1', valid(['other'], ['proxy.example.COM'])), 'ok:nick@example.com'],
    ['certificate only: a URI (SPIFFE ID), exactly', CERT, tls('192.0.2.1', valid([], [], ['spiffe://example.org/proxy'])), 'ok:nick@example.com'],
    ['certificate only: a URI differing in case is not it', CERT, tls('192.0.2.1', valid([], [], ['SPIFFE://example.org/proxy'])), 'trusted_proxy_client_cert_not_allowed'],
    ['certificate only: a CN differing in case is not it', CERT, tls('192.0.2.1', valid(['Mayros-Proxy'])), 'trusted_proxy_client_cert_not_allowed'],
    ['certificate only: a valid certificate of another service', CERT, tls('192.0.2.1', valid(['billing'], ['billing.example.com'])), 'trusted_proxy_client_cert_not_allowed'],
    ['certificate only: no certificate', CERT, tls('192.0.2.1', { state: 'none' }), 'trusted_proxy_client_cert_missing'],
    ['certificate only: one that did not verify', CERT, tls('192.0.2.1', { state: 'invalid', why: 'CERT_HAS_EXPIRED' }), 'trusted_proxy_client_cert_invalid'],
    ['certificate only: plain TCP cannot carry one', CERT, viaTcp('192.0.2.1'), 'trusted_proxy_client_cert_missing'],
    ['both: listed address and allowed certificate', BOTH, tls('10.0.0.7', valid(['mayros-proxy'])), 'ok:nick@example.com'],
    ['both: the right certificate from another address', BOTH, tls('10.0.0.8', valid(['mayros-proxy'])), 'trusted_proxy_untrusted_source'],
    ['both: the listed address without a certificate', BOTH, tls('10.0.0.7', { state: 'none' }), 'trusted_proxy_client_cert_missing'],
    ['both: the Unix socket needs no certificate', BOTH, VIA_UNIX, 'ok:nick@example.com'],
  ])('%s', (_n, p, via, want) => {
    expect(code(p, via)).toBe(want);
  });

  it('carries what the log line needs, and nothing the client could use', () => {
    expect(sourceFailure(tls('1.2.3.4', { state: 'invalid', why: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }), CERT as TrustedProxyPolicy)).toEqual({ reason: 'trusted_proxy_client_cert_invalid', why: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });
    expect(sourceFailure(tls('1.2.3.4', valid(['billing'], ['b.example'])), CERT as TrustedProxyPolicy)).toEqual({ reason: 'trusted_proxy_client_cert_not_allowed', presented: 'CN=billing, DNS:b.example' });
  });

  it('traces each check: the socket; the address, then the certificate', () => {
    const t1: TraceStep[] = [];
    sourceFailure(VIA_UNIX, SOCKET as TrustedProxyPolicy, t1);
    expect(t1.map((s) => `${s.step}:${s.ok}`)).toEqual(['source:true']);
    expect(t1[0]!.detail).toContain('Unix socket');
    const t2: TraceStep[] = [];
    sourceFailure(tls('10.0.0.7', valid(['mayros-proxy'])), BOTH as TrustedProxyPolicy, t2);
    expect(t2.map((s) => `${s.step}:${s.ok}`)).toEqual(['source:true', 'client-cert:true']);
    expect(t2[1]!.detail).toContain('CN=mayros-proxy is in clientCert.allowedNames');
    const t3: TraceStep[] = [];
    sourceFailure(tls('192.0.2.1', valid(['x'])), CERT as TrustedProxyPolicy, t3);
    expect(t3.map((s) => `${s.step}:${s.ok}`)).toEqual(['source:true', 'client-cert:false']);
    expect(t3[0]!.detail).toContain('the client certificate decides');
  });

  it('allowedCertName names the first name that matched', () => {
    const c = (CERT as TrustedProxyPolicy).clientCert!;
    expect(allowedCertName({ cn: ['x'], dns: ['PROXY.example.com'], uri: [] }, c)).toBe('DNS:PROXY.example.com');
    expect(allowedCertName({ cn: [], dns: [], uri: [] }, c)).toBeUndefined();
  });
});

describe('fromTrustedProxy: who may forward the client\'s address and host', () => {
  const token = policy({ trustedProxies: ['127.0.0.1'], listen: { unixSocket: { path: '/run/gw.sock' } }, auth: { mode: 'token', token: 'a-token-of-some-length-00000000' } });
  it.each<[string, ReturnType<typeof policy>, Via, boolean]>([
    ['the Unix socket, in token mode', token, VIA_UNIX, true],
    ['a listed address, in token mode', token, viaTcp('127.0.0.1'), true],
    ['another address, in token mode', token, viaTcp('127.0.0.2'), false],
    ['trusted-proxy mode: exactly when the source step passes', CERT, tls('192.0.2.1', valid(['mayros-proxy'])), true],
    ['trusted-proxy mode: a certificate of another service', CERT, tls('192.0.2.1', valid(['billing'])), false],
    ['trusted-proxy mode: no certificate from a listed address', BOTH, tls('10.0.0.7', { state: 'none' }), false],
  ])('%s', (_n, p, via, want) => {
    expect(fromTrustedProxy(via, p)).toBe(want);
  });
});
