// The API token for state-changing calls. It arrives in the page address
// (`#token=...`, printed by `gapwarden demo`) or is typed after a 401, and is
// kept in localStorage so a reload does not lose it.

const STORAGE_KEY = 'gapwarden.token';

/**
 * Reads `token=...` from the address hash (`#token=abc` or `#/datasets/x&token=abc`)
 * and removes it from the address bar, so it is not left in history or a screenshot.
 */
export function takeTokenFromAddress(): string | null {
  const hash = window.location.hash;
  const match = /(?:^#|[?&#])token=([^&]*)/.exec(hash);
  if (!match) return null;
  const token = decodeURIComponent(match[1] ?? '');
  let rest = hash.replace(match[0], match[0].startsWith('#') ? '#' : '');
  rest = rest.replace(/^#[?&]/, '#').replace(/[?&]$/, '');
  if (rest === '#' || rest === '') rest = '#/';
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${rest}`);
  return token || null;
}

export function loadToken(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token) window.localStorage.setItem(STORAGE_KEY, token);
    else window.localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage may be disabled (private mode): the token then lives for this page only.
  }
}
