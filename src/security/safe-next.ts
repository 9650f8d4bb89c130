const FALLBACK = "/settings";
/** Characters a browser strips or rewrites in a URL (tab, CR, LF, other controls) and the backslash it reads as `/`. */
function hasUnsafeCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x1f || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}

/**
 * Where to send a person after sign-in: only a path on this site. The candidate is resolved against the site's own
 * origin the way a browser would resolve a Location header, and must come back to that origin as a path that
 * cannot be read as another host (`//host`, `/\host`, and their tab/CR/LF and dot-segment variants). Anything else,
 * and anything with characters a header cannot carry, falls back to the settings page.
 */
export function safeNext(next: string | undefined, origin: string): string {
  if (!next || next.length > 2048 || hasUnsafeCharacter(next) || !next.startsWith("/") || next.startsWith("//")) return FALLBACK;
  let resolved: URL;
  try {
    resolved = new URL(next, origin);
  } catch {
    return FALLBACK;
  }
  if (resolved.origin !== new URL(origin).origin) return FALLBACK;
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  // Dot segments can turn a harmless path into `//host` once normalised (`/.//evil.example`).
  if (path.startsWith("//") || new URL(path, origin).origin !== resolved.origin) return FALLBACK;
  return path;
}
