import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { resolvedConfig, type ResolvedConfig } from '../config/load.js';
import { changedPaths, pinRestartOnly, restartOnlyChanges } from './diff.js';

const cfg = (gateway: Record<string, unknown>) => parseConfigObject({ gateway });
const resolved = (config: ReturnType<typeof cfg>, sources: Array<[string, 'file' | 'env']>): ResolvedConfig => resolvedConfig({ file: '/x.json', fileFound: true, stateDir: '/tmp', config, sources: new Map(sources) });

describe('changedPaths', () => {
  it('lists changed leaves, arrays as a whole', () => {
    const a = cfg({ trustedProxies: ['127.0.0.1'], auth: { mode: 'token', token: 'aaaaaaaaaaaa' } });
    const b = cfg({ trustedProxies: ['127.0.0.1', '::1'], auth: { mode: 'token', token: 'bbbbbbbbbbbb' }, port: 1 });
    expect(changedPaths(a, b)).toEqual(['gateway.auth.token', 'gateway.port', 'gateway.trustedProxies']);
  });

  it('sees a key that appears or disappears', () => {
    expect(changedPaths(cfg({}), cfg({ customBindHost: '127.0.0.1' }))).toEqual(['gateway.customBindHost']);
  });

  it('is empty for equal configs', () => {
    expect(changedPaths(cfg({ port: 5 }), cfg({ port: 5 }))).toEqual([]);
  });
});

describe('pinRestartOnly', () => {
  it('keeps the running listening keys and takes everything else from the new file', () => {
    const running = resolved(cfg({ port: 1000, bind: 'loopback' }), [['gateway.port', 'env']]);
    const next = resolved(cfg({ port: 2000, bind: 'custom', customBindHost: '10.0.0.5', trustedProxies: ['10.0.0.1'], controlUi: { enabled: false } }), [
      ['gateway.port', 'file'],
      ['gateway.customBindHost', 'file'],
      ['gateway.trustedProxies', 'file'],
    ]);
    const pinned = pinRestartOnly(next, running);
    expect(pinned.config.gateway).toMatchObject({ port: 1000, bind: 'loopback', trustedProxies: ['10.0.0.1'], controlUi: { enabled: true } });
    expect('customBindHost' in pinned.config.gateway).toBe(false);
    expect(next.config.gateway.port).toBe(2000);
    // Sources follow the values: the running port's, none for the removed key, the file's for the rest.
    expect(new Map(pinned.sources)).toEqual(
      new Map([
        ['gateway.port', 'env'],
        ['gateway.trustedProxies', 'file'],
      ]),
    );
    expect(Object.isFrozen(pinned.config.gateway.controlUi)).toBe(true);
  });
});

describe('restart-only changes: the Unix socket as a whole, TLS by presence', () => {
  const sock = { path: '/run/a.sock', mode: '0660', group: 'www-data' };
  const tls = { cert: '/c.pem', key: '/k.pem' };

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    ['the socket path', { listen: { unixSocket: sock } }, { listen: { unixSocket: { ...sock, path: '/run/b.sock' } } }, ['gateway.listen.unixSocket']],
    ['the socket mode', { listen: { unixSocket: sock } }, { listen: { unixSocket: { ...sock, mode: '0600' } } }, ['gateway.listen.unixSocket']],
    ['a socket added', {}, { listen: { unixSocket: sock } }, ['gateway.listen.unixSocket']],
    ['TLS turned on', {}, { tls }, ['gateway.tls']],
    ['TLS turned off', { tls }, {}, ['gateway.tls']],
    ['TLS files moved (applied live)', { tls }, { tls: { ...tls, cert: '/c2.pem', clientCa: '/ca.pem' } }, []],
    ['bind none', { listen: { unixSocket: sock } }, { bind: 'none', listen: { unixSocket: sock } }, ['gateway.bind']],
  ])('%s', (_n, a, b, want) => {
    expect(restartOnlyChanges(cfg(a), cfg(b))).toEqual(want);
  });

  it('pins a changed socket and a TLS switch to the running values, sources included', () => {
    const running = resolved(cfg({ listen: { unixSocket: sock } }), [['gateway.listen.unixSocket.path', 'file']]);
    const next = resolved(cfg({ listen: { unixSocket: { path: '/run/b.sock' } }, tls, allowedHosts: ['x.example'] }), [
      ['gateway.listen.unixSocket.path', 'env'],
      ['gateway.tls.cert', 'file'],
      ['gateway.allowedHosts', 'file'],
    ]);
    const pinned = pinRestartOnly(next, running);
    expect(pinned.config.gateway.listen.unixSocket).toEqual(sock);
    expect(pinned.config.gateway.tls).toBeUndefined();
    expect(pinned.config.gateway.allowedHosts).toEqual(['x.example']);
    expect(new Map(pinned.sources)).toEqual(new Map([['gateway.listen.unixSocket.path', 'file'], ['gateway.allowedHosts', 'file']]));
  });
});
