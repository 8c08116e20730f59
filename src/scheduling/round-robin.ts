/** Choosing one agent among those free for a round-robin slot. */

export interface RoundRobinCandidate {
  agentId: string;
  /** Lower goes first; agents without a priority come after all with one. */
  priority: number | null;
  /** Bookings the agent already has in the period around the slot. */
  bookingCount: number;
}

/** Orders candidates by fewest bookings, then lowest priority (null last), then agentId, so the choice is deterministic. */
export function compareRoundRobin(a: RoundRobinCandidate, b: RoundRobinCandidate): number {
  if (a.bookingCount !== b.bookingCount) return a.bookingCount - b.bookingCount;
  if (a.priority !== b.priority) {
    if (a.priority === null) return 1;
    if (b.priority === null) return -1;
    return a.priority - b.priority;
  }
  return a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0;
}

/** Fewest bookings in the surrounding period, then lowest priority (null last), then agentId — deterministic. */
export function pickRoundRobin(candidates: RoundRobinCandidate[]): string | undefined {
  let best: RoundRobinCandidate | undefined;
  for (const candidate of candidates) {
    if (!best || compareRoundRobin(candidate, best) < 0) best = candidate;
  }
  return best?.agentId;
}
