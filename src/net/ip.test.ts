/**
 * parseIp reads strict dotted quads without ipaddr.js (the per-request path); this pins that the
 * fast path answers exactly as ipaddr.js's strict four-part decimal check does.
 */
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { parseIp } from './ip.js';

/** The reference: what parseIp returned for IPv4-looking input before the fast path. */
function reference(input: string) {
  const s = input.trim();
  if (!ipaddr.IPv4.isValidFourPartDecimal(s)) return undefined;
  const a = ipaddr.IPv4.parse(s);
  return { family: 4, text: a.toString(), bytes: a.toByteArray() };
}

const part = fc.oneof(
  fc.nat(255).map(String),
  fc.nat(999).map(String),
  fc.tuple(fc.constantFrom('0', '00'), fc.nat(255)).map(([z, v]) => `${z}${v}`),
  fc.constantFrom('', '-1', '+1', '1e1', '0x1', ' 1', '1 ', '٣', '１'),
);
const quadish = fc.array(part, { minLength: 1, maxLength: 6 }).map((ps) => ps.join('.'));
const noise = fc.string({ unit: fc.constantFrom(...'0123456789.'.split('')), maxLength: 17 });

describe('parseIp: the dotted-quad fast path agrees with ipaddr.js', () => {
  it('on quad-like strings', () => {
    fc.assert(fc.property(quadish, (s) => {
      expect(parseIp(s)).toEqual(reference(s));
    }), { numRuns: 5000 });
  });

  it('on digit-and-dot noise', () => {
    fc.assert(fc.property(noise, (s) => {
      expect(parseIp(s)).toEqual(reference(s));
    }), { numRuns: 5000 });
  });

  it.each(['0.0.0.0', '255.255.255.255', '127.0.0.1', '10.0.0.255', '1.22.133.4'])('accepts %s as canonical', (s) => {
    expect(parseIp(s)).toEqual({ family: 4, text: s, bytes: s.split('.').map(Number) });
  });

  it.each(['01.2.3.4', '1.2.3.04', '256.1.1.1', '1.2.3', '1.2.3.4.', '.1.2.3.4', '1..2.3', '1.2.3.4a', '1.2.3.1000', '1.2.3.-1'])('rejects %j', (s) => {
    expect(parseIp(s)).toBeUndefined();
  });
});
