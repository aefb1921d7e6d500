/**
 * `--since` / `--until` values: a duration back from now (`90s`, `15m`, `1h`, `2d`, `1w`) or an
 * ISO 8601 date or date-time (`2026-11-27`, `2026-11-27T10:00`, `2026-11-27T10:00:00+01:00`),
 * read as UTC unless it carries an offset. Returns milliseconds since the epoch.
 */
import { InvalidArgumentError } from 'commander';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d{1,9})(s|m|h|d|w)$/;
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?)?$/;

export function parseWhen(value: string, now: number = Date.now()): number {
  const v = value.trim();
  const d = DURATION.exec(v);
  if (d) return now - Number(d[1]) * UNIT_MS[d[2]!]!;
  const iso = ISO.exec(v);
  if (iso) {
    const t = Date.parse(`${iso[1]}T${iso[2] ?? '00:00'}${iso[3] ?? 'Z'}`);
    // Date.parse takes 2026-02-30 for March 2: the calendar day must exist as written.
    const day = Date.parse(`${iso[1]}T00:00Z`);
    const dayExists = Number.isFinite(day) && new Date(day).toISOString().slice(0, 10) === iso[1];
    if (Number.isFinite(t) && dayExists) return t;
  }
  throw new InvalidArgumentError('expected a time back from now (90s, 15m, 1h, 2d, 1w) or a UTC date or date-time (2026-11-27, 2026-11-27T10:00, or with an offset: 2026-11-27T10:00+01:00)');
}
