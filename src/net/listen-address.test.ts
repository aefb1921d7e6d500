import { describe, expect, it } from 'vitest';
import { listenUrl, parseListenAddress } from './listen-address.js';

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:9464', { host: '127.0.0.1', port: 9464, loopback: true }],
    ['[::1]:9464', { host: '::1', port: 9464, loopback: true }],
    ['0.0.0.0:9464', { host: '0.0.0.0', port: 9464, loopback: false }],
    ['10.1.2.3:80', { host: '10.1.2.3', port: 80, loopback: false }],
    ['[::]:9464', { host: '::', port: 9464, loopback: false }],
    ['127.0.0.5:0', { host: '127.0.0.5', port: 0, loopback: true }],
  ])('%s', (text, want) => {
    expect(parseListenAddress(text)).toEqual(want);
  });

  it.each(['localhost:9464', '127.0.0.1', '9464', '::1:9464', '127.0.0.1:99999', '[127.0.0.1:9464', 'http://127.0.0.1:9464', '127.1:9464', ''])('refuses %j with a sentence', (text) => {
    expect(parseListenAddress(text)).toHaveProperty('error', expect.stringMatching(/.{20,}/));
  });
});

describe('listenUrl', () => {
  it('brackets IPv6', () => {
    expect(listenUrl({ host: '::1', port: 1 })).toBe('http://[::1]:1');
    expect(listenUrl({ host: '127.0.0.1', port: 2 })).toBe('http://127.0.0.1:2');
  });
});
