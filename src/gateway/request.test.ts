import type { IncomingMessage } from 'node:http';
import { viaTcp } from '../net/transport.js';
import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { validated } from '../config/validate.js';
import { compileAuthPolicy } from '../auth/policy.js';
import { authorize } from '../auth/authorize.js';
import { headerListMayBeCut, headersOf, peerOf } from './request.js';

const policy = compileAuthPolicy(validated(
  parseConfigObject({
    gateway: { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', requiredHeaders: ['x-forwarded-proto'], groupsHeader: 'x-forwarded-groups' } } },
  }),
));

/** A request carrying exactly these raw header lines, in order. */
function req(...lines: [string, string][]): IncomingMessage {
  return { rawHeaders: lines.flat() } as unknown as IncomingMessage;
}

const decide = (r: IncomingMessage) => authorize({ via: viaTcp('127.0.0.1'), headers: headersOf(r, policy, 'http'), surface: 'http' }, policy);

describe('headersOf', () => {
  it('reads the names the policy needs, case-insensitively, and nothing else', () => {
    const h = headersOf(req(['Host', 'gw'], ['X-Forwarded-User', 'alice'], ['x-forwarded-proto', 'https'], ['Cookie', 'session=secret'], ['X-Other', '1']), policy, 'ws');
    expect({ ...h }).toEqual({ host: 'gw', 'x-forwarded-user': 'alice', 'x-forwarded-proto': 'https' });
  });

  it('reads the origin-check and client-address headers on WebSocket upgrades only, and the credential headers in token and password modes only', () => {
    const all: [string, string][] = [['Host', 'gw'], ['Origin', 'https://gw'], ['X-Forwarded-Host', 'gw'], ['Authorization', 'Bearer t'], ['X-Forwarded-For', '10.0.0.9'], ['X-Real-IP', '10.0.0.9'], ['x-forwarded-user', 'alice']];
    expect(Object.keys(headersOf(req(...all), policy, 'http'))).toEqual(['x-forwarded-user']);
    // Upgrades also read the client address the per-address caps count.
    expect(Object.keys(headersOf(req(...all), policy, 'ws'))).toEqual(['host', 'origin', 'x-forwarded-host', 'x-forwarded-for', 'x-real-ip', 'x-forwarded-user']);
    for (const mode of ['token', 'password'] as const) {
      const secret = compileAuthPolicy(validated(parseConfigObject({ gateway: { auth: { mode, [mode]: 'a-long-enough-secret-0123456789' } } })));
      expect(Object.keys(headersOf(req(...all), secret, 'http'))).toEqual(['x-forwarded-host', 'authorization', 'x-forwarded-for', 'x-real-ip']);
      expect(Object.keys(headersOf(req(...all), secret, 'ws'))).toEqual(['host', 'origin', 'x-forwarded-host', 'authorization', 'x-forwarded-for', 'x-real-ip']);
    }
  });

  it.each<[string, [string, string][], unknown]>([
    ['the same spelling twice', [['x-forwarded-user', 'alice'], ['x-forwarded-user', 'mallory']], ['alice', 'mallory']],
    ['two spellings differing in case', [['X-Forwarded-User', 'alice'], ['x-forwarded-user', 'mallory']], ['alice', 'mallory']],
    ['three times', [['x-forwarded-user', 'a'], ['X-FORWARDED-USER', 'b'], ['x-Forwarded-user', 'c']], ['a', 'b', 'c']],
    ['an empty repeat', [['x-forwarded-user', 'alice'], ['x-forwarded-user', '']], ['alice', '']],
  ])('keeps every value of a repeated header: %s', (_name, lines, expected) => {
    expect(headersOf(req(...lines), policy, 'http')['x-forwarded-user']).toEqual(expected);
  });

  it('refuses a repeated identity header as ambiguous, as with headersDistinct', () => {
    expect(decide(req(['x-forwarded-proto', 'https'], ['x-forwarded-user', 'alice'], ['X-Forwarded-User', 'alice']))).toMatchObject({ ok: false, failure: { reason: 'trusted_proxy_user_ambiguous' } });
    expect(decide(req(['x-forwarded-proto', 'https'], ['x-forwarded-groups', 'a'], ['x-forwarded-user', 'alice'], ['x-forwarded-groups', 'b']))).toMatchObject({ ok: false, failure: { reason: 'trusted_proxy_groups_ambiguous' } });
  });

  it('never counts an underscore spelling', () => {
    const lines: [string, string][] = [['x-forwarded-proto', 'https'], ['x_forwarded_user', 'mallory'], ['X_Forwarded_User', 'mallory']];
    expect(headersOf(req(...lines), policy, 'http')['x-forwarded-user']).toBeUndefined();
    expect(decide(req(...lines))).toMatchObject({ ok: false, failure: { reason: 'trusted_proxy_user_missing' } });
    // Next to the real header, the underscore spelling neither replaces it nor makes it ambiguous.
    expect(decide(req(...lines, ['x-forwarded-user', 'alice']))).toMatchObject({ ok: true, identity: { user: 'alice' } });
  });

  it('skips names of a wanted length that are not wanted, and finds wanted ones among them', () => {
    // Same lengths as x-forwarded-user (16) and x-forwarded-proto (17), different names.
    const h = headersOf(req(['x-forwarded-usr', 'no'], ['x-forwarded-uses', 'no'], ['X-FORWARDED-PROTO', 'https'], ['x-forwarded-prot0', 'no'], ['x-forwarded-user', 'alice']), policy, 'http');
    expect({ ...h }).toEqual({ 'x-forwarded-proto': 'https', 'x-forwarded-user': 'alice' });
  });

  it('inherits nothing, so an absent header never resolves to an inherited property', () => {
    const h = headersOf(req(['x-forwarded-user', 'alice']), policy, 'ws');
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) expect([name, h[name]]).toEqual([name, undefined]);
    expect(Object.getPrototypeOf(Object.getPrototypeOf(h))).toBeNull();
    expect(Object.getOwnPropertyNames(Object.getPrototypeOf(h))).toEqual([]);
  });

  it('keeps a header named like an Object.prototype member as an ordinary header', () => {
    const odd = compileAuthPolicy(validated(
      parseConfigObject({ gateway: { trustedProxies: ['127.0.0.1'], auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: '__proto__', requiredHeaders: ['constructor'] } } } }),
    ));
    const h = headersOf(req(['__proto__', 'alice'], ['constructor', 'yes']), odd, 'http');
    expect(Object.keys(h).sort()).toEqual(['__proto__', 'constructor']);
    expect(authorize({ via: viaTcp('127.0.0.1'), headers: h, surface: 'http' }, odd)).toMatchObject({ ok: true, identity: { user: 'alice' } });
    expect(authorize({ via: viaTcp('127.0.0.1'), headers: headersOf(req(['constructor', 'yes']), odd, 'http'), surface: 'http' }, odd)).toMatchObject({ ok: false, failure: { reason: 'trusted_proxy_user_missing' } });
  });
});

describe('peerOf', () => {
  /** A request on `socket`, counting how often its remote address is read. */
  function counted(address: string | undefined) {
    const socket = { reads: 0 };
    Object.defineProperty(socket, 'remoteAddress', { get: () => (socket.reads++, address) });
    return { socket, req: () => ({ socket }) as unknown as IncomingMessage };
  }

  it('normalises the address and works it out once per connection', () => {
    const c = counted('::ffff:127.0.0.1');
    expect(peerOf(c.req())).toBe('127.0.0.1');
    expect(peerOf(c.req())).toBe('127.0.0.1');
    expect(c.socket.reads).toBe(1);
    // Another connection is its own.
    expect(peerOf(counted('::1').req())).toBe('::1');
  });

  it('does not remember a closed socket that has no address', () => {
    const c = counted(undefined);
    expect(peerOf(c.req())).toBe('');
    expect(peerOf(c.req())).toBe('');
    expect(c.socket.reads).toBe(2);
  });
});

describe('headerListMayBeCut', () => {
  it.each<[number, number | null | undefined, boolean]>([
    [10, 0, false],
    [100_000, 0, false],
    [1998, null, false],
    [2000, null, true],
    [2046, undefined, true],
    [1998, 1000, false],
    [2000, 1000, true],
    [3998, 2000, false],
    [4000, 2000, true],
  ])('headerListMayBeCut(%i entries, maxHeadersCount %s) = %s', (entries, cap, cut) => {
    expect(headerListMayBeCut(entries, cap)).toBe(cut);
  });
});
