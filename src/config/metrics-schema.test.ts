import { describe, expect, it } from 'vitest';
import { parseConfigObject } from './parse.js';

describe('gateway.metrics', () => {
  it('is off by default, on loopback port 9464', () => {
    expect(parseConfigObject({}).gateway.metrics).toEqual({ enabled: false, listen: '127.0.0.1:9464' });
  });

  it('takes an IP address and a port', () => {
    expect(parseConfigObject({ gateway: { metrics: { enabled: true, listen: '[::1]:9100' } } }).gateway.metrics).toEqual({ enabled: true, listen: '[::1]:9100' });
  });

  it.each([
    ['localhost:9464', 'names are not accepted'],
    ['9464', 'must be "host:port"'],
    ['127.0.0.1:70000', 'out of range'],
  ])('refuses listen %j naming the field and what is wrong', (listen, why) => {
    expect(() => parseConfigObject({ gateway: { metrics: { listen } } })).toThrow(/gateway\.metrics\.listen/);
    expect(() => parseConfigObject({ gateway: { metrics: { listen } } })).toThrow(why);
  });

  it('refuses an unknown key', () => {
    expect(() => parseConfigObject({ gateway: { metrics: { port: 9464 } } })).toThrow(/gateway\.metrics/);
  });
});
