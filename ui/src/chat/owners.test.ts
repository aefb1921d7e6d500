import { describe, expect, it } from 'vitest';
import { ownerOf } from '../../../src/protocol/owner.js';
import { accessTo, authorLabel, listParams, listingFor, ownerName } from './owners.js';

describe("everyone's sessions", () => {
  it('are listed only while the person is an admin', () => {
    expect(listingFor('everyone', true)).toBe('everyone');
    expect(listingFor('everyone', false)).toBe('own');
    expect(listingFor('own', true)).toBe('own');
    expect(listParams('everyone')).toEqual({ all: true });
    expect(listParams('own')).toEqual({});
  });

  it.each([
    ['trusted-proxy:alice@example.com', 'alice@example.com'],
    ['trusted-proxy:token:', 'token:'],
    ['token:', 'the gateway token'],
    ['password:', 'the gateway password'],
    ['none:', 'anyone (no sign-in)'],
    ['future-mode:', 'future-mode (shared)'],
    ['no-colon', 'no-colon'],
  ])('owner %s reads as %s', (owner, name) => {
    expect(ownerName(owner)).toBe(name);
  });

  it("make another person's session read-only, whatever the admin's scopes", () => {
    const self = ownerOf({ method: 'trusted-proxy', user: 'ada@example.com' });
    expect(accessTo({ owner: 'trusted-proxy:alice@example.com' }, self, true)).toEqual({ kind: 'others', owner: 'trusted-proxy:alice@example.com' });
    expect(accessTo({ owner: self }, self, true)).toEqual({ kind: 'write' });
    expect(accessTo({ owner: self }, self, false)).toEqual({ kind: 'read' });
    // No session in view (a new one is the person's own); a session listed without an owner counts as theirs.
    expect(accessTo(undefined, self, true)).toEqual({ kind: 'write' });
    expect(accessTo({}, self, false)).toEqual({ kind: 'read' });
    // The mode is part of the key: a proxy user named "token:" is not the token holders.
    expect(accessTo({ owner: 'trusted-proxy:token:' }, ownerOf({ method: 'token', user: null }), true).kind).toBe('others');
  });

  it("name a message's writer: You for the person's own, the writer for another's", () => {
    const self = 'trusted-proxy:ada@example.com';
    expect(authorLabel(self, self)).toBe('You');
    expect(authorLabel(undefined, self)).toBe('You');
    expect(authorLabel(null, self)).toBe('You');
    expect(authorLabel('trusted-proxy:alice@example.com', self)).toBe('alice@example.com');
    expect(authorLabel('token:', 'token:')).toBe('You');
  });
});
