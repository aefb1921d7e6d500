import { describe, expect, it } from 'vitest';
import { buildProgram, groupOf } from './main.js';

describe('the command line loads only the group that runs', () => {
  it.each([
    [['node', 'mayros', 'journal', 'verify'], 'journal'],
    [['node', 'mayros', 'gateway', 'run', '--port', '0'], 'gateway'],
    [['node', 'mayros', '--help'], undefined],
    [['node', 'mayros', 'help', 'journal'], undefined],
    [['node', 'mayros'], undefined],
    [['node', 'mayros', 'nonsense'], undefined],
  ])('%j -> %s', (argv, group) => {
    expect(groupOf(argv)).toBe(group);
  });

  it('registers one group, or all of them in help order', async () => {
    expect((await buildProgram('journal')).commands.map((c) => c.name())).toEqual(['journal']);
    expect((await buildProgram()).commands.map((c) => c.name())).toEqual(['gateway', 'config', 'security', 'auth', 'journal', 'models']);
  });
});
