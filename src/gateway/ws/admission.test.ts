import { describe, expect, it } from 'vitest';
import { compileHostCheck } from '../../auth/host.js';
import { DEFAULT_WS_LIMITS } from '../../config/limits.js';
import { parseConfigObject } from '../../config/parse.js';
import { validated } from '../../config/validate.js';
import type { AddressCount } from './address-caps.js';
import { admit, checkAddress, type AdmissionInput } from './admission.js';

const limits = { ...DEFAULT_WS_LIMITS, maxConnectionsPerAddress: 5, maxUnauthenticatedPerAddress: 2 };
const count = (c: Partial<AddressCount>): AddressCount => ({ sockets: 0, sessions: 0, pending: 0, verifying: 0, ...c });

describe('checkAddress', () => {
  it.each<[string, AddressCount | undefined, ReturnType<typeof checkAddress>]>([
    ['an address holding nothing', undefined, undefined],
    ['room left', count({ sockets: 3, sessions: 3, pending: 1 }), undefined],
    ['pending at the cap', count({ sockets: 2, sessions: 2, pending: 2 }), 'too_many_unauthenticated_per_address'],
    ['verifying upgrades count as pending', count({ sessions: 1, pending: 1, verifying: 1 }), 'too_many_unauthenticated_per_address'],
    ['sessions at the cap', count({ sockets: 5, sessions: 5 }), 'too_many_connections_per_address'],
    ['the cap counts verifying upgrades too', count({ sockets: 4, sessions: 4, verifying: 1 }), 'too_many_connections_per_address'],
    ['refusals still closing fill both caps', count({ sockets: 7, sessions: 1 }), 'drop'],
  ])('%s', (_name, c, verdict) => {
    expect(checkAddress(c, limits)).toBe(verdict);
  });
});

describe('admit', () => {
  const capped = { ...DEFAULT_WS_LIMITS, maxConnections: 10, maxUnauthenticated: 4, maxConnectionsPerAddress: 5, maxUnauthenticatedPerAddress: 2 };
  const hosts = compileHostCheck(validated(parseConfigObject({ gateway: { allowedHosts: ['gw.example.com'] } })));
  const base: AdmissionInput = {
    sockets: 0,
    sessions: 0,
    pending: 0,
    verifying: 0,
    address: undefined,
    limits: capped,
    headers: { host: 'gw.example.com' },
    hosts,
    peerIsTrustedProxy: false,
    allowedOrigins: [],
    decidesAt: 'upgrade',
  };
  const at = (over: Partial<AdmissionInput>) => admit({ ...base, ...over });

  it.each<[string, Partial<AdmissionInput>, ReturnType<typeof admit>]>([
    ['room everywhere, the policy decides at the upgrade', {}, { kind: 'decide' }],
    ['room everywhere, decided on connect', { decidesAt: 'connect' }, { kind: 'open' }],
    ['every global cap full, refusals still closing included: dropped', { sockets: 14 }, { kind: 'drop', reason: 'too_many_connections' }],
    ['upgrades being verified count toward the drop', { sockets: 12, verifying: 2 }, { kind: 'drop', reason: 'too_many_connections' }],
    ['the address fills both of its caps: dropped, even with room elsewhere', { address: count({ sockets: 7 }) }, { kind: 'drop', reason: 'too_many_connections_per_address' }],
    ['the address is refused before the global caps', { address: count({ sockets: 5, sessions: 5 }), sessions: 10 }, { kind: 'refuse', reason: 'too_many_connections_per_address' }],
    ['the address has too many waiting for connect', { address: count({ sockets: 2, sessions: 2, pending: 2 }) }, { kind: 'refuse', reason: 'too_many_unauthenticated_per_address' }],
    ['sessions at maxConnections', { sockets: 10, sessions: 10 }, { kind: 'refuse', reason: 'too_many_connections' }],
    ['sessions plus verifying at maxConnections', { sessions: 8, verifying: 2 }, { kind: 'refuse', reason: 'too_many_connections' }],
    ['pending at maxUnauthenticated', { sessions: 4, pending: 4 }, { kind: 'refuse', reason: 'too_many_unauthenticated' }],
    ['caps come before the Host check', { sessions: 10, headers: { host: 'evil.example' } }, { kind: 'refuse', reason: 'too_many_connections' }],
    ['a Host the gateway does not serve', { headers: { host: 'evil.example' } }, { kind: 'refuse', reason: 'host_not_allowed' }],
    ['the Host check comes before the origin check', { headers: { host: 'evil.example', origin: 'http://evil.example' } }, { kind: 'refuse', reason: 'host_not_allowed' }],
    ['a page on another origin', { headers: { host: 'gw.example.com', origin: 'http://evil.example' } }, { kind: 'refuse', reason: 'origin_not_allowed' }],
    ['an origin in allowedOrigins', { headers: { host: 'gw.example.com', origin: 'http://ui.example' }, allowedOrigins: ['http://ui.example'] }, { kind: 'decide' }],
    ['https from a trusted proxy is the gateway\'s own origin', { headers: { host: 'gw.example.com', origin: 'https://gw.example.com', 'x-forwarded-proto': 'https' }, peerIsTrustedProxy: true }, { kind: 'decide' }],
    ['the same from an untrusted peer is not', { headers: { host: 'gw.example.com', origin: 'https://gw.example.com', 'x-forwarded-proto': 'https' } }, { kind: 'refuse', reason: 'origin_not_allowed' }],
  ])('%s', (_name, over, expected) => {
    expect(at(over)).toEqual(expected);
  });
});
