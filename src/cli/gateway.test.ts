import { describe, expect, it } from 'vitest';
import { listenFailure } from './gateway.js';

const err = (code: string, address: string, port: number) => Object.assign(new Error(`listen ${code}`), { code, syscall: 'listen', address, port });

describe('listenFailure', () => {
  it.each([
    [err('EADDRINUSE', '127.0.0.1', 18789), /^port 18789 is already in use on 127\.0\.0\.1 .*stop that process, or choose another port with --port <n>/],
    [err('EACCES', '0.0.0.0', 80), /^not allowed to listen on 0\.0\.0\.0:80: ports below 1024 need privileges; choose a port from 1024 up/],
    [err('EADDRNOTAVAIL', '10.9.9.9', 18789), /^cannot listen on 10\.9\.9\.9:18789: that address does not belong to this host; correct gateway\.customBindHost/],
    [err('EADDRNOTAVAIL', '::5', 18789), /^cannot listen on \[::5\]:18789/],
  ])('%s', (e, sentence) => {
    expect(listenFailure(e)).toMatch(sentence);
  });

  it('leaves other errors alone', () => {
    expect(listenFailure(new Error('boom'))).toBeUndefined();
    expect(listenFailure(Object.assign(new Error('x'), { code: 'EMFILE', syscall: 'listen' }))).toBeUndefined();
  });
});
