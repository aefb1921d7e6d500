import { describe, expect, it } from 'vitest';
import { decideSocketPath, type PathFound, type ProbeAnswer } from './stale-socket.js';

describe('decideSocketPath: never delete a live socket or a file that is not one', () => {
  it.each<[string, PathFound, ProbeAnswer | undefined, string]>([
    ['nothing there: create', 'nothing', undefined, 'create'],
    ['a socket nothing listens on (a crashed run): replace', 'socket', 'refused', 'replace'],
    ['a socket that vanished meanwhile: create', 'socket', 'gone', 'create'],
    ['a socket something answers on: refuse', 'socket', 'answered', 'refuse'],
    ['a socket that cannot be probed: refuse', 'socket', { error: 'EACCES' }, 'refuse'],
    ['a socket not probed at all: refuse', 'socket', undefined, 'refuse'],
    ['a regular file: refuse', 'other', undefined, 'refuse'],
    ['a regular file, even if a probe said refused: refuse', 'other', 'refused', 'refuse'],
    ['no directory: refuse', 'no-directory', undefined, 'refuse'],
  ])('%s', (_n, found, probe, want) => {
    expect(decideSocketPath('/run/mayros/gw.sock', found, probe).action).toBe(want);
  });

  it('says why and what to do', () => {
    const live = decideSocketPath('/run/mayros/gw.sock', 'socket', 'answered');
    expect(live).toMatchObject({ message: expect.stringContaining('another process is listening on /run/mayros/gw.sock'), fix: expect.stringContaining('stop that process') });
    expect(decideSocketPath('/x/gw.sock', 'other')).toMatchObject({ message: '/x/gw.sock exists and is not a socket', fix: expect.stringContaining('never deletes it') });
    expect(decideSocketPath('/x/gw.sock', 'socket', { error: 'ETIMEDOUT' })).toMatchObject({ message: expect.stringContaining('ETIMEDOUT') });
  });
});
