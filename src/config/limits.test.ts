import { describe, expect, it } from 'vitest';
import { parseConfigObject } from './parse.js';
import { DEFAULT_WS_LIMITS, limitsFromConfig } from './limits.js';

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
