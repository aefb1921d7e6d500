import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../config/parse.js';
import { DEFAULT_WS_LIMITS, FrameBucket, limitsFromConfig } from './limits.js';

describe('FrameBucket', () => {
  it('allows the burst at once, then refills at the rate', () => {
    const b = new FrameBucket(5, 0);
    const first = Array.from({ length: 7 }, () => b.take(0, 2, 5));
    expect(first).toEqual([true, true, true, true, true, false, false]);
    expect(b.take(499, 2, 5)).toBe(false);
    expect(b.take(500, 2, 5)).toBe(true);
    expect(b.take(500, 2, 5)).toBe(false);
  });

  it('never holds more than the burst, however long it idles', () => {
    const b = new FrameBucket(3, 0);
    const after = Array.from({ length: 5 }, () => b.take(3_600_000, 100, 3));
    expect(after.filter(Boolean)).toHaveLength(3);
  });

  it('uses the rate and burst passed on each call (a reload applies at once)', () => {
    const b = new FrameBucket(1, 0);
    expect(b.take(0, 1, 1)).toBe(true);
    expect(b.take(100, 1, 1)).toBe(false);
    expect(b.take(200, 1000, 10)).toBe(true);
  });

  it('does not mint tokens when the clock goes backwards', () => {
    const b = new FrameBucket(1, 1000);
    expect(b.take(1000, 1, 1)).toBe(true);
    expect(b.take(0, 1, 1)).toBe(false);
  });
});

describe('limitsFromConfig', () => {
  it('maps gateway.limits and applies overrides on top', () => {
    const config = parseConfigObject({ gateway: { limits: { maxFrameBytes: 2048, maxConnections: 7 } } });
    expect(limitsFromConfig(config)).toMatchObject({ maxPayloadBytes: 2048, maxConnections: 7, handshakeTimeoutMs: 10_000 });
    expect(limitsFromConfig(config, { tickIntervalMs: 50 }).tickIntervalMs).toBe(50);
  });

  it('has defaults equal to an empty config', () => {
    expect(limitsFromConfig(parseConfigObject({}))).toEqual(DEFAULT_WS_LIMITS);
  });

  it.each([
    ['maxConnections', 0],
    ['maxFrameBytes', 10],
    ['handshakeTimeoutMs', 1.5],
    ['maxBufferedBytes', -1],
    ['frameBurst', 'ten'],
  ])('refuses gateway.limits.%s = %j, naming the field', (key, value) => {
    expect(() => parseConfigObject({ gateway: { limits: { [key]: value } } })).toThrow(`gateway.limits.${key}`);
  });

  it('refuses an unknown limit with a suggestion', () => {
    expect(() => parseConfigObject({ gateway: { limits: { maxConnection: 5 } } })).toThrow(/did you mean "maxConnections"/);
  });
});
