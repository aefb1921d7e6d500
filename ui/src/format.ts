/** Small formatting helpers for durations and times. */

/** A duration as its two largest units: "2 d 3 h", "4 min 5 s", "12 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const units: Array<[string, number]> = [
    ['d', Math.floor(s / 86400)],
    ['h', Math.floor(s / 3600) % 24],
    ['min', Math.floor(s / 60) % 60],
    ['s', s % 60],
  ];
  const first = units.findIndex(([, v]) => v > 0);
  if (first < 0) return '0 s';
  return units
    .slice(first, first + 2)
    .filter(([, v], i) => i === 0 || v > 0)
    .map(([u, v]) => `${v} ${u}`)
    .join(' ');
}

/** "just now", "5 min ago", "3 h ago", for a time in the past. */
export function ago(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const ms = now - t;
  if (ms < 45_000) return 'just now';
  return `${formatDuration(ms).split(' ').slice(0, 2).join(' ')} ago`;
}

/** Local clock time (HH:MM) of an ISO time. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}
