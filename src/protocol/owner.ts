/**
 * Who owns a chat session: the admitted identity, as one string (`owner` in sessions.list). Pure;
 * part of the wire, so the Control UI tells its own sessions from others' the same way.
 *
 * `<auth mode>:<user>`: "trusted-proxy:alice" behind a proxy; "token:", "password:" and "none:" in
 * the modes without a user name, where everyone holding the shared token or password (or everyone,
 * in none mode) is one person to chat, exactly as `emitTo` treats them. The mode is part of the key:
 * switching gateway.auth.mode never hands one mode's sessions to the other's people, and a proxy
 * user literally named "token:" stays "trusted-proxy:token:".
 */
import type { Identity } from './identity.js';

export function ownerOf(identity: Pick<Identity, 'user' | 'method'>): string {
  return `${identity.method}:${identity.user ?? ''}`;
}
