import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LogRing } from '../logs/ring.js';
import { createLogger, defaultLogFormat, LogLimiter, type LogFormat } from './log.js';

function capture(): { out: Writable; text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { out, text: () => text };
}

describe('createLogger', () => {
  it('json: one JSON object per line, level as a word', () => {
    const { out, text } = capture();
    createLogger('json', { out }).warn({ event: 'auth_rejected', reason: 'token_mismatch' }, 'request rejected');
    expect(JSON.parse(text())).toMatchObject({ level: 'warn', event: 'auth_rejected', reason: 'token_mismatch', msg: 'request rejected' });
  });

  it('pretty: a readable line with time, level, message and fields; no colour unless asked', () => {
    const { out, text } = capture();
    createLogger('pretty', { out }).warn({ event: 'auth_rejected', reason: 'token_mismatch' }, 'request rejected');
    expect(text()).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] WARN: request rejected \{"event":"auth_rejected","reason":"token_mismatch"\}\n$/);
    const colour = capture();
    createLogger('pretty', { out: colour.out, colorize: true }).info('hello');
    expect(colour.text()).toContain('\u001b[');
  });

  it.each<LogFormat>(['json', 'pretty'])('%s: secrets are redacted, at the top and one level down', (format) => {
    const { out, text } = capture();
    const log = createLogger(format, { out });
    log.info({ token: 'SECRET-1', password: 'SECRET-2', headers: { authorization: 'Bearer SECRET-3', cookie: 'sid=SECRET-4' }, tokenFile: '/state/gateway.token' }, 'x');
    expect(text()).not.toMatch(/SECRET-/);
    expect(text()).toContain('[redacted]');
    expect(text()).toContain('/state/gateway.token');
  });
});

describe('createLogger with a ring (logs.tail)', () => {
  it.each<LogFormat>(['json', 'pretty'])('%s: the ring gets the same lines, redacted, with the level as a word', (format) => {
    const { out, text } = capture();
    const ring = new LogRing({ capacity: 10 });
    const log = createLogger(format, { out, ring, level: 'debug' });
    log.debug({ event: 'x1' }, 'first');
    log.warn({ event: 'auth_rejected', token: 'SECRET-1', headers: { cookie: 'SECRET-2' }, peer: '127.0.0.2' }, 'request rejected');
    const { lines } = ring.since(undefined, 10);
    expect(lines.map((l) => [l.seq, l.level, l.msg])).toEqual([
      [1, 'debug', 'first'],
      [2, 'warn', 'request rejected'],
    ]);
    expect(lines[1]!.fields).toMatchObject({ event: 'auth_rejected', token: '[redacted]', headers: { cookie: '[redacted]' }, peer: '127.0.0.2' });
    expect(JSON.stringify(lines)).not.toMatch(/SECRET-/);
    expect(text()).toContain('request rejected');
  });

  it('below the logger level, neither destination gets the line', () => {
    const { out, text } = capture();
    const ring = new LogRing();
    createLogger('json', { out, ring }).debug('hidden');
    expect(ring.cursor).toBe(0);
    expect(text()).toBe('');
  });
});

describe('defaultLogFormat', () => {
  it('is pretty on a terminal and JSON otherwise', () => {
    expect(defaultLogFormat({ isTTY: true })).toBe('pretty');
    expect(defaultLogFormat({ isTTY: false })).toBe('json');
    expect(defaultLogFormat({})).toBe('json');
  });
});

describe('LogLimiter', () => {
  it('lets the burst through, then counts what it holds back and reports it on the next line', () => {
    let now = 0;
    const limiter = new LogLimiter(2, 3, () => now);
    expect(Array.from({ length: 5 }, () => limiter.take())).toEqual([0, 0, 0, -1, -1]);
    now = 499;
    expect(limiter.take()).toBe(-1);
    now = 500;
    expect(limiter.take()).toBe(3);
    expect(limiter.take()).toBe(-1);
  });
});
