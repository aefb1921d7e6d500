/**
 * The Control UI decides what to show from the scopes the gateway sent; what each card needs
 * (ui/src/scopes.ts NEEDS) must be what the registry declares for the method behind it, or the page
 * would call what it may not, or hide what it may. (Here, not in ui/: the UI's own typecheck
 * covers browser code only, and the registry is Node code.)
 */
import { describe, expect, it } from 'vitest';
import { METHODS } from '../../src/methods/index.js';
import { NEEDS } from '../../ui/src/scopes.js';

describe('the Control UI\'s NEEDS', () => {
  it('is what the registry declares for the methods behind each card', () => {
    const scopeOf = (name: string) => METHODS.get(name)?.scope;
    expect(NEEDS).toEqual({ status: scopeOf('status'), presence: scopeOf('presence.list'), audit: scopeOf('security.audit') });
  });
});
