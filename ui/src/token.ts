/**
 * Where the Control UI keeps the gateway token. It arrives in the URL fragment (`#token=...`,
 * which browsers never send to a server, so it reaches no access log), is moved to
 * localStorage, and the fragment is removed from the address bar and history at once.
 */

const KEY = 'mayros.gateway.token';

/** Reads `token` from a fragment like `#token=abc` or `#x=1&token=abc`. */
export function tokenFromHash(hash: string): string | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token')?.trim();
  return token ? token : undefined;
}

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // storage disabled: the token lives only for this page
  }
}

/**
 * Takes a token from the current URL fragment, if there is one: stores it and strips the
 * fragment with history.replaceState. Returns the token to use (fragment first, then storage).
 */
export function takeToken(): string | undefined {
  const fromHash = tokenFromHash(location.hash);
  if (fromHash) {
    saveToken(fromHash);
    history.replaceState(history.state, '', location.pathname + location.search);
    return fromHash;
  }
  return storage()?.getItem(KEY) ?? undefined;
}

export function saveToken(token: string): void {
  storage()?.setItem(KEY, token);
}

export function forgetToken(): void {
  storage()?.removeItem(KEY);
}
