/**
 * Overlapping sessions from different sources are the same night (or workout): matched by time overlap and
 * counted once. Two sessions match when they share at least half of the shorter one; sessions of one source
 * never match each other (a source does not record the same night twice; two of its sessions are two sleeps).
 */

export interface Session {
  id: number;
  source: string;
  start: number;
  end: number;
}

const MATCH_SHARE = 0.5;

function matches(a: Session, b: Session): boolean {
  if (a.source === b.source) return false;
  const shared = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  const shorter = Math.min(a.end - a.start, b.end - b.start);
  return shared > 0 && shared >= MATCH_SHARE * Math.max(shorter, 1);
}

/** Groups sessions into matched clusters (union of pairwise matches), each cluster ordered by start. */
export function clusterSessions<T extends Session>(sessions: readonly T[]): T[][] {
  const parent = sessions.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (let i = 0; i < sessions.length; i++) {
    for (let j = i + 1; j < sessions.length; j++) {
      if (matches(sessions[i]!, sessions[j]!)) parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, T[]>();
  sessions.forEach((session, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), session]);
  });
  return [...groups.values()].map((group) => group.sort((a, b) => a.start - b.start)).sort((a, b) => a[0]!.start - b[0]!.start);
}
