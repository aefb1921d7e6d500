/**
 * Which addresses to listen on for a bind setting. The first must succeed; later ones are
 * best-effort (::1 where the host has IPv6).
 */
export interface BindPlan {
  /** Tried in order; the first failure of `required` aborts. */
  hosts: Array<{ host: string; required: boolean }>;
  /** Used when the first required host is unavailable (dual-stack `::` on an IPv4-only host). */
  fallback?: string;
}

export function bindPlan(bind: 'loopback' | 'lan' | 'custom' | 'none', customBindHost?: string): BindPlan {
  switch (bind) {
    case 'loopback':
      return { hosts: [{ host: '127.0.0.1', required: true }, { host: '::1', required: false }] };
    case 'lan':
      return { hosts: [{ host: '::', required: true }], fallback: '0.0.0.0' };
    case 'custom':
      return { hosts: [{ host: customBindHost ?? '', required: true }] };
    case 'none':
      // No TCP listener: the gateway listens on gateway.listen.unixSocket only.
      return { hosts: [] };
  }
}

export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
