import { describe, expect, it } from 'vitest';
import { errorFrame, eventFrame, okFrame } from '../../protocol/frames.js';
import { serializeFrame } from './serialize.js';
import { Presence } from '../presence.js';

describe('serializeFrame', () => {
  it.each([
    ['an ok frame with a plain payload', okFrame('a', { x: [1, 2], y: 'z' })],
    ['an ok frame with a frozen payload', okFrame(7, Object.freeze({ entries: Object.freeze([{ connId: 'c', user: null }]) }))],
    ['an ok frame with a null id and undefined payload', okFrame(null, undefined)],
    ['an error frame', errorFrame('b', { code: 'INVALID_FRAME', message: 'bad "quote"' })],
    ['an event', eventFrame('tick', { ts: 1 })],
  ])('matches JSON.stringify for %s', (_name, frame) => {
    expect(serializeFrame(frame)).toBe(JSON.stringify(frame));
    expect(serializeFrame(frame)).toBe(JSON.stringify(frame));
  });

  it('serializes a presence snapshot once and follows it when presence changes', () => {
    const p = new Presence();
    p.add({ connId: 'c1', user: 'alice', method: 'trusted-proxy', client: {}, since: 's' });
    const first = p.snapshot();
    expect(p.snapshot()).toBe(first);
    const text = serializeFrame(okFrame('1', first));
    expect(JSON.parse(text).payload.entries).toHaveLength(1);
    p.add({ connId: 'c2', user: 'bob', method: 'trusted-proxy', client: {}, since: 's' });
    expect(p.snapshot()).not.toBe(first);
    expect(JSON.parse(serializeFrame(okFrame('2', p.snapshot()))).payload.entries).toHaveLength(2);
  });
});
