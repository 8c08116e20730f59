/** Half-open `[start, end)` intervals of epoch milliseconds; empty intervals (`start >= end`) contain nothing. */

export interface Interval {
  start: number;
  end: number;
}

export function isEmpty(interval: Interval): boolean {
  return interval.start >= interval.end;
}

/** Half-open, so intervals that only touch (`a.end === b.start`) do not overlap, and an empty interval overlaps nothing. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end && !isEmpty(a) && !isEmpty(b);
}

/** True when `inner` lies wholly inside `outer`. */
export function contains(outer: Interval, inner: Interval): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/** Sorted, disjoint, non-empty intervals covering the same instants; touching intervals are coalesced. */
export function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter((interval) => !isEmpty(interval)).sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const { start, end } of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else merged.push({ start, end });
  }
  return merged;
}

/** The instants of `from` that are in none of `remove`, as merged intervals. One sweep over both sorted lists. */
export function subtractIntervals(from: Interval[], remove: Interval[]): Interval[] {
  const removed = mergeIntervals(remove);
  const result: Interval[] = [];
  let next = 0;
  for (const interval of mergeIntervals(from)) {
    let cursor = interval.start;
    while (next < removed.length && removed[next]!.end <= cursor) next++;
    for (let index = next; index < removed.length && removed[index]!.start < interval.end; index++) {
      const hole = removed[index]!;
      if (hole.start > cursor) result.push({ start: cursor, end: hole.start });
      cursor = Math.max(cursor, hole.end);
    }
    if (cursor < interval.end) result.push({ start: cursor, end: interval.end });
  }
  return result;
}

/** The instants in both lists, as merged intervals. */
export function intersectIntervals(a: Interval[], b: Interval[]): Interval[] {
  const left = mergeIntervals(a);
  const right = mergeIntervals(b);
  const result: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const x = left[i]!;
    const y = right[j]!;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (start < end) result.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return result;
}

/**
 * Answers "does this interval overlap any of the blockers?" for queries whose starts never decrease,
 * in amortised constant time: the blockers are merged once and a pointer only moves forward.
 */
export class OverlapSweep {
  private readonly blockers: Interval[];
  private next = 0;

  constructor(blockers: Interval[]) {
    this.blockers = mergeIntervals(blockers);
  }

  /** Whether `[start, end)` overlaps a blocker. Queries must come in non-decreasing order of `start`. */
  overlapsAny(start: number, end: number): boolean {
    // Merged blockers are sorted by end as well, so those ending by this start end before every later query too.
    while (this.next < this.blockers.length && this.blockers[this.next]!.end <= start) this.next++;
    const blocker = this.blockers[this.next];
    // Merged blockers are not empty, and this one ends after `start`.
    return blocker !== undefined && start < end && blocker.start < end;
  }
}
