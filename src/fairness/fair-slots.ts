/**
 * A fixed number of slots shared fairly between callers (API clients): a
 * caller holds at most `perCaller` of them at once, whatever it has queued,
 * and a freed slot goes to the waiting caller holding the fewest, callers
 * holding as many taking turns (round robin), each caller's tasks in arrival
 * order. So one caller's burst of expensive work waits behind itself: another
 * caller's request waits at most for one slot to free, never for the burst.
 *
 * Memory: a caller's entry lives only while it holds or awaits a slot.
 */
export interface FairSlots {
  /** Runs `task` once `caller` is granted a slot, and frees the slot when it settles. */
  run<T>(caller: string, task: () => Promise<T>): Promise<T>;
  /** Slots held now, in total and by each caller holding any. */
  readonly held: { total: number; byCaller: ReadonlyMap<string, number> };
  /** Tasks waiting for a slot. */
  readonly waiting: number;
}

export interface FairSlotLimits {
  slots: number;
  perCaller: number;
}

export function createFairSlots({ slots, perCaller }: FairSlotLimits): FairSlots {
  if (!(Number.isInteger(slots) && slots >= 1 && Number.isInteger(perCaller) && perCaller >= 1 && perCaller <= slots)) {
    throw new RangeError(`Fair slots need 1 ≤ perCaller ≤ slots (got slots ${slots}, perCaller ${perCaller})`);
  }
  let total = 0;
  let waiting = 0;
  const held = new Map<string, number>();
  // A Map iterates in insertion order: a caller served goes to the back, which makes the turns.
  const queues = new Map<string, Array<() => void>>();

  const take = (caller: string) => {
    total += 1;
    held.set(caller, (held.get(caller) ?? 0) + 1);
  };

  const free = (caller: string) => {
    total -= 1;
    const remaining = held.get(caller)! - 1;
    if (remaining === 0) held.delete(caller);
    else held.set(caller, remaining);
    while (total < slots && startNext()) {
      // Each turn starts one waiting task.
    }
  };

  /**
   * Starts the first waiting task of the caller holding the fewest slots (under its share), the earliest in
   * turn among equals; false when no waiting caller may take one.
   */
  const startNext = (): boolean => {
    let chosen: string | undefined;
    let fewest = perCaller;
    for (const caller of queues.keys()) {
      const holding = held.get(caller) ?? 0;
      if (holding < fewest) {
        chosen = caller;
        fewest = holding;
      }
    }
    if (chosen === undefined) return false;
    const queue = queues.get(chosen)!;
    const start = queue.shift()!;
    queues.delete(chosen);
    if (queue.length > 0) queues.set(chosen, queue);
    waiting -= 1;
    take(chosen);
    start();
    return true;
  };

  const acquire = (caller: string): Promise<void> | undefined => {
    // A free slot goes at once to a caller under its share with nothing queued. Any other caller queued
    // while a slot is free is at its share, since a freed slot always goes to the next caller in turn.
    if (total < slots && (held.get(caller) ?? 0) < perCaller && !queues.has(caller)) {
      take(caller);
      return undefined;
    }
    waiting += 1;
    return new Promise<void>((resolve) => {
      const queue = queues.get(caller);
      if (queue) queue.push(resolve);
      else queues.set(caller, [resolve]);
    });
  };

  return {
    async run(caller, task) {
      const granted = acquire(caller);
      if (granted) await granted;
      try {
        return await task();
      } finally {
        free(caller);
      }
    },
    get held() {
      return { total, byCaller: held };
    },
    get waiting() {
      return waiting;
    },
  };
}
