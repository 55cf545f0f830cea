/**
 * A per-process fixed-window limit for public procedures. Per process is enough here: it only
 * keeps one client from hammering one instance; it holds nothing another process needs.
 */
const WINDOW_MS = 60_000;
const LIMIT = 600;
const windows = new Map<string, { start: number; count: number }>();

export function takeToken(client: string, nowMs: number): boolean {
  const current = windows.get(client);
  if (!current || nowMs - current.start >= WINDOW_MS) {
    if (windows.size > 10_000) windows.clear();
    windows.set(client, { start: nowMs, count: 1 });
    return true;
  }
  current.count += 1;
  return current.count <= LIMIT;
}
