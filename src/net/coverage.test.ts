import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { coveredFamilies } from './coverage.js';
import { CidrSet } from './cidr.js';

describe('coveredFamilies', () => {
  it.each<[string, string[], Array<{ family: 4 | 6; indexes: number[] }>]>([
    ['nothing', [], []],
    ['ordinary entries', ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'], []],
    ['0.0.0.0/0', ['10.0.0.1', '0.0.0.0/0'], [{ family: 4, indexes: [1] }]],
    ['::/0 (IPv6 only)', ['::/0'], [{ family: 6, indexes: [0] }]],
    ['the IPv4-mapped spelling of 0.0.0.0/0', ['::ffff:0.0.0.0/96'], [{ family: 4, indexes: [0] }]],
    ['both families', ['::/0', '0.0.0.0/0'], [{ family: 4, indexes: [1] }, { family: 6, indexes: [0] }]],
    ['two halves, with a redundant host', ['0.0.0.0/1', '10.0.0.1', '128.0.0.0/1'], [{ family: 4, indexes: [0, 2] }]],
    ['a half and two quarters', ['192.0.0.0/2', '0.0.0.0/1', '128.0.0.0/2'], [{ family: 4, indexes: [0, 1, 2] }]],
    ['a half and one quarter (a quarter missing)', ['0.0.0.0/1', '128.0.0.0/2', '10.0.0.0/8'], []],
    ['the same half twice', ['0.0.0.0/1', '0.0.0.0/1'], []],
    ['a whole range and what it contains', ['10.0.0.0/8', '0.0.0.0/0', '127.0.0.1'], [{ family: 4, indexes: [1] }]],
    ['IPv6 halves', ['::/1', '8000::/1', '::1'], [{ family: 6, indexes: [0, 1] }]],
    ['IPv6 halves do not cover IPv4', ['::/1', '8000::/1'], [{ family: 6, indexes: [0, 1] }]],
    ['an invalid entry is skipped', ['nope', '0.0.0.0/0'], [{ family: 4, indexes: [1] }]],
  ])('%s', (_name, list, expected) => {
    expect(coveredFamilies(list)).toEqual(expected);
  });

  it('finds 256 /8s covering IPv4, and not 255', () => {
    const all = Array.from({ length: 256 }, (_, i) => `${i}.0.0.0/8`);
    expect(coveredFamilies(all)).toEqual([{ family: 4, indexes: all.map((_, i) => i) }]);
    expect(coveredFamilies(all.slice(1))).toEqual([]);
  });

  it('agrees with matching: covered exactly when every /4 block start and end match an entry', () => {
    // Entries no longer than /4 are unions of the 16 /4 blocks, so probing each block's first and
    // last address decides coverage; the reference is the gateway's own CidrSet.
    const entry = fc.tuple(fc.nat(255), fc.integer({ min: 0, max: 4 })).map(([o, p]) => `${o}.0.0.0/${p}`);
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (list) => {
        const set = new CidrSet(list);
        let all = true;
        for (let b = 0; b < 16; b++) {
          if (!set.has(`${b * 16}.0.0.0`) || !set.has(`${b * 16 + 15}.255.255.255`)) all = false;
        }
        const got = coveredFamilies(list);
        expect(got.some((c) => c.family === 4)).toBe(all);
        // The positions named are enough on their own.
        for (const c of got) expect(coveredFamilies(c.indexes.map((i) => list[i]!))).toHaveLength(1);
      }),
    );
  });
});
