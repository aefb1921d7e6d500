/**
 * The text of an identity or groups header. Node hands header values over as latin-1, one char
 * per byte, while proxies send names as UTF-8: "jürgen" arrives as "jÃ¼rgen". The bytes are
 * decoded as UTF-8 (invalid UTF-8 is refused, never guessed at) and put in Unicode NFC, the form
 * allowUsers, allowGroups and signed-assertion claims are compared in, so "ü" typed as one code
 * point or as "u" plus a combining diaeresis is the same name.
 *
 * This runs on every trusted-proxy request: a pure-ASCII value (nearly every name) is checked with
 * one scan and returned as it is, with no allocation.
 */

// fatal: a byte sequence that is not UTF-8 throws instead of turning into U+FFFD.
// ignoreBOM: a leading BOM stays in the text (and is then trimmed as whitespace), never silently eaten.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** True when every char is below 0x80. */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** `s` in NFC; ASCII strings (already NFC) are returned as they are. */
export function nfc(s: string): string {
  return isAscii(s) ? s : s.normalize('NFC');
}

/**
 * A header value as the gateway reads it: the wire bytes (one char per byte, as Node gives them)
 * decoded as UTF-8, in NFC. Undefined when the bytes are not valid UTF-8, or when `wire` holds a
 * char above 0xFF (then it is not wire bytes at all).
 */
export function headerText(wire: string): string | undefined {
  if (isAscii(wire)) return wire;
  const bytes = new Uint8Array(wire.length);
  for (let i = 0; i < wire.length; i++) {
    const c = wire.charCodeAt(i);
    if (c > 0xff) return undefined;
    bytes[i] = c;
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  return text.normalize('NFC');
}

/**
 * The wire form of a header value typed as text (UTF-8 bytes, one char per byte), as a proxy
 * would send it: what `mayros auth explain` feeds the decision, so it decides as the gateway does.
 */
export function wireForm(text: string): string {
  if (isAscii(text)) return text;
  let out = '';
  for (const b of new TextEncoder().encode(text)) out += String.fromCharCode(b);
  return out;
}
