import { describe, expect, it } from 'vitest';
import { ownerOf } from './owner.js';

describe('ownerOf', () => {
  it.each([
    [{ method: 'trusted-proxy', user: 'alice@example.com' }, 'trusted-proxy:alice@example.com'],
    [{ method: 'token', user: null }, 'token:'],
    [{ method: 'password', user: null }, 'password:'],
    [{ method: 'none', user: null }, 'none:'],
  ] as const)('%o -> %s', (identity, owner) => {
    expect(ownerOf(identity)).toBe(owner);
  });

  it("keeps modes apart: a proxy user named like another mode's owner is still a proxy user", () => {
    expect(ownerOf({ method: 'trusted-proxy', user: 'token:' })).not.toBe(ownerOf({ method: 'token', user: null }));
    expect(ownerOf({ method: 'trusted-proxy', user: '' })).not.toBe(ownerOf({ method: 'none', user: null }));
  });
});
