import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { validated, validateForStartup } from '../config/validate.js';
import { allowedHostName, allowedHostProblem, canonicalHost, isLoopbackName } from '../net/host-name.js';
import { compileHostCheck } from './host.js';

describe('canonicalHost', () => {
  it.each<[string, string | undefined, string?]>([
    ['localhost', 'localhost', ''],
    ['LocalHost:18789', 'localhost', '18789'],
    ['gw.example.com.', 'gw.example.com', ''],
    ['[::1]:80', '[::1]', ''],
    ['[0:0:0:0:0:0:0:1]', '[::1]', ''],
    ['127.1', '127.0.0.1', ''],
    ['bücher.example', 'xn--bcher-kva.example', ''],
    ['', undefined],
    ['a b', undefined],
    ['gw/path', undefined],
    ['user@gw', undefined],
    ['::1', undefined],
    ['gw:99999', undefined],
  ])('%j', (value, host, port) => {
    const c = canonicalHost(value);
    if (host === undefined) expect(c).toBeUndefined();
    else expect(c).toEqual({ host, port });
  });
});

describe('isLoopbackName', () => {
  it.each([
    ['localhost', true],
    ['app.localhost', true],
    ['127.0.0.1', true],
    ['127.200.3.4', true],
    ['[::1]', true],
    ['[::ffff:127.0.0.1]', true],
    ['localhost.example.com', false],
    ['notlocalhost', false],
    ['128.0.0.1', false],
    ['[::2]', false],
    ['10.0.0.1', false],
  ])('%s -> %s', (host, loopback) => {
    expect(isLoopbackName(host)).toBe(loopback);
  });
});

describe('allowedHosts entries', () => {
  it.each([
    ['mayros.example.com', undefined, 'mayros.example.com'],
    ['Mayros.Example.COM', undefined, 'mayros.example.com'],
    ['10.0.0.5', undefined, '10.0.0.5'],
    ['fd00::5', undefined, '[fd00::5]'],
    ['[fd00::5]', undefined, '[fd00::5]'],
    ['mayros.example.com:443', 'has a port; the check compares host names only', undefined],
    ['mayros.example.com:80', 'has a port; the check compares host names only', undefined],
    ['https://mayros.example.com', 'is not a host name', undefined],
    ['*.example.com', 'wildcards are not supported; list each name', undefined],
  ])('%j', (entry, problem, name) => {
    expect(allowedHostProblem(entry)).toBe(problem);
    expect(allowedHostName(entry)).toBe(name);
  });

  it('startup validation names the entry and the fix', () => {
    const issues = validateForStartup(parseConfigObject({ gateway: { allowedHosts: ['ok.example.com', 'https://mayros.example.com/'] } }));
    expect(issues).toEqual([expect.objectContaining({ path: 'gateway.allowedHosts[1]', fix: expect.stringContaining('without scheme, port or path') })]);
  });
});

describe('compileHostCheck', () => {
  const check = (gateway: Record<string, unknown>) => compileHostCheck(validated(parseConfigObject({ gateway })));

  it('on a loopback bind serves loopback names and allowedHosts only', () => {
    const c = check({ allowedHosts: ['mayros.example.com'] });
    expect(c.enforced).toBe(true);
    for (const h of ['localhost:18789', 'x.localhost', '127.0.0.1:1', '[::1]:2', 'mayros.example.com', 'MAYROS.example.com:8443']) expect(c.allows(h), h).toBe(true);
    for (const h of ['attacker.example', 'attacker.example:18789', '10.0.0.5', '', 'a b']) expect(c.allows(h), h).toBe(false);
    expect(c.allows(undefined)).toBe(true);
    expect(c.allows(['localhost', 'localhost'])).toBe(false);
    // Remembered answers stay right.
    expect(c.allows('attacker.example:18789')).toBe(false);
    expect(c.allows('localhost:18789')).toBe(true);
  });

  it('on a custom loopback bind does the same', () => {
    expect(check({ bind: 'custom', customBindHost: '127.0.0.1' }).allows('attacker.example')).toBe(false);
  });

  it('on a LAN bind checks only when allowedHosts is set, and then serves loopback names too', () => {
    const open = check({ bind: 'lan' });
    expect(open.enforced).toBe(false);
    expect(open.allows('anything.example')).toBe(true);
    const listed = check({ bind: 'lan', allowedHosts: ['mayros.example.com'] });
    expect(listed.enforced).toBe(true);
    expect(listed.allows('mayros.example.com')).toBe(true);
    expect(listed.allows('attacker.example')).toBe(false);
    expect(listed.allows('10.0.0.5:18789')).toBe(false);
    expect(listed.allows('localhost:18789')).toBe(true);
  });
});
