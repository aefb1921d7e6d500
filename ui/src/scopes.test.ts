import { describe, expect, it } from 'vitest';
import { expandScopes } from '../../src/protocol/scopes.js';
import { scopeLabel, scopesFrom } from './scopes.js';

describe('scopeLabel', () => {
  it.each([
    [[], 'nothing yet'],
    [['operator.read'], 'read'],
    [['operator.write'], 'read, write'],
    [['operator.admin'], 'admin'],
  ] as const)('%j -> %s', (scopes, label) => {
    expect(scopeLabel(expandScopes(scopes))).toBe(label);
  });
});

describe('scopesFrom', () => {
  it('reads the gateway\'s list, expanded, and drops what is not a scope', () => {
    expect(scopesFrom(['operator.read', 'operator.write'])).toEqual(['operator.read', 'operator.write']);
    expect(scopesFrom(['operator.admin'])).toEqual(['operator.admin', 'operator.read', 'operator.write']);
    expect(scopesFrom(['admin', 7, null])).toEqual([]);
    expect(scopesFrom(undefined)).toEqual([]);
  });
});
