import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  intersectIntervals,
  mergeIntervals,
  OverlapSweep,
  overlaps,
  subtractIntervals,
  type Interval,
} from '../../src/scheduling/intervals.ts';

const interval = fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 })).map(([a, b]) => ({ start: a, end: b }));
const intervals = fc.array(interval, { maxLength: 12 });
const covers = (list: Interval[], point: number) => list.some(({ start, end }) => start <= point && point < end);

describe('overlaps', () => {
  it('is true when the intervals share an instant', () => {
    expect(overlaps({ start: 0, end: 10 }, { start: 9, end: 20 })).toBe(true);
    expect(overlaps({ start: 0, end: 10 }, { start: 2, end: 3 })).toBe(true);
  });

  it('treats touching intervals as not overlapping, since they are half-open', () => {
    expect(overlaps({ start: 0, end: 10 }, { start: 10, end: 20 })).toBe(false);
    expect(overlaps({ start: 10, end: 20 }, { start: 0, end: 10 })).toBe(false);
  });

  it('never lets an empty interval overlap anything', () => {
    expect(overlaps({ start: 5, end: 5 }, { start: 0, end: 10 })).toBe(false);
  });
});

describe('mergeIntervals', () => {
  it('sorts, coalesces overlapping and touching intervals, and drops empty ones', () => {
    expect(
      mergeIntervals([
        { start: 20, end: 30 },
        { start: 0, end: 10 },
        { start: 10, end: 12 },
        { start: 25, end: 40 },
        { start: 50, end: 50 },
      ]),
    ).toEqual([
      { start: 0, end: 12 },
      { start: 20, end: 40 },
    ]);
  });

  it('does not mutate its input', () => {
    const input = [
      { start: 0, end: 10 },
      { start: 5, end: 20 },
    ];
    mergeIntervals(input);
    expect(input).toEqual([
      { start: 0, end: 10 },
      { start: 5, end: 20 },
    ]);
  });

  it('is idempotent and yields sorted, disjoint, non-touching intervals covering the same points', () => {
    fc.assert(
      fc.property(intervals, fc.integer({ min: -1, max: 101 }), (list, point) => {
        const merged = mergeIntervals(list);
        expect(mergeIntervals(merged)).toEqual(merged);
        merged.forEach((current, index) => {
          expect(current.start).toBeLessThan(current.end);
          const next = merged[index + 1];
          if (next) expect(current.end).toBeLessThan(next.start);
        });
        expect(covers(merged, point)).toBe(covers(list, point));
      }),
      { numRuns: 300 },
    );
  });
});

describe('subtractIntervals', () => {
  it('cuts holes and trims ends', () => {
    expect(subtractIntervals([{ start: 0, end: 100 }], [{ start: 10, end: 20 }, { start: 90, end: 120 }, { start: -5, end: 2 }])).toEqual([
      { start: 2, end: 10 },
      { start: 20, end: 90 },
    ]);
  });

  it('keeps what only touches a removed interval', () => {
    expect(subtractIntervals([{ start: 10, end: 20 }], [{ start: 0, end: 10 }, { start: 20, end: 30 }])).toEqual([{ start: 10, end: 20 }]);
  });

  it('removes everything covered, across several source intervals', () => {
    expect(subtractIntervals([{ start: 0, end: 10 }, { start: 20, end: 30 }], [{ start: 5, end: 25 }])).toEqual([
      { start: 0, end: 5 },
      { start: 25, end: 30 },
    ]);
    expect(subtractIntervals([{ start: 0, end: 10 }], [{ start: 0, end: 10 }])).toEqual([]);
  });

  it('is disjoint from what was removed, a subset of the original, and exactly the set difference', () => {
    fc.assert(
      fc.property(intervals, intervals, fc.integer({ min: -1, max: 101 }), (from, remove, point) => {
        const result = subtractIntervals(from, remove);
        for (const piece of result) {
          for (const hole of remove) expect(overlaps(piece, hole)).toBe(false);
          expect(mergeIntervals(from).some((source) => source.start <= piece.start && piece.end <= source.end)).toBe(true);
        }
        expect(subtractIntervals(result, [])).toEqual(result);
        expect(covers(result, point)).toBe(covers(from, point) && !covers(remove, point));
      }),
      { numRuns: 300 },
    );
  });
});

describe('intersectIntervals', () => {
  it('keeps exactly the points in both lists', () => {
    fc.assert(
      fc.property(intervals, intervals, fc.integer({ min: -1, max: 101 }), (a, b, point) => {
        expect(covers(intersectIntervals(a, b), point)).toBe(covers(a, point) && covers(b, point));
      }),
      { numRuns: 300 },
    );
  });
});

describe('OverlapSweep', () => {
  it('answers like a full scan for queries in start order', () => {
    fc.assert(
      fc.property(intervals, intervals, (blockers, queries) => {
        const sweep = new OverlapSweep(blockers);
        for (const query of [...queries].sort((a, b) => a.start - b.start)) {
          expect(sweep.overlapsAny(query.start, query.end)).toBe(blockers.some((blocker) => overlaps(blocker, query)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
