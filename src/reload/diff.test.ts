import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { changedPaths, pinRestartOnly } from './diff.js';

const cfg = (gateway: Record<string, unknown>) => parseConfigObject({ gateway });

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
    const running = cfg({ port: 1000, bind: 'loopback' });
    const next = cfg({ port: 2000, bind: 'custom', customBindHost: '10.0.0.5', trustedProxies: ['10.0.0.1'], controlUi: { enabled: false } });
    const pinned = pinRestartOnly(next, running);
    expect(pinned.gateway).toMatchObject({ port: 1000, bind: 'loopback', trustedProxies: ['10.0.0.1'], controlUi: { enabled: true } });
    expect('customBindHost' in pinned.gateway).toBe(false);
    expect(next.gateway.port).toBe(2000);
  });
});
