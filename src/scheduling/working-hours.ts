/** Weekly hours and date overrides as plain values, validated without any database or GraphQL. */

export interface WeeklyInterval {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Wall-clock `HH:MM` or `HH:MM:SS`. */
  startTime: string;
  endTime: string;
}

export interface DateOverride {
  date: string;
  startTime?: string | null;
  endTime?: string | null;
}

export interface IntervalIssue {
  index: number;
  field: string;
  message: string;
}

/** Seconds since midnight of a validated wall-clock time. */
export function secondsOfDay(time: string): number {
  const [hours = 0, minutes = 0, seconds = 0] = time.split(':').map(Number);
  return hours * 3600 + minutes * 60 + seconds;
}

function overlapping<T>(items: T[], key: (item: T) => string, start: (item: T) => number, end: (item: T) => number) {
  const issues: number[] = [];
  items.forEach((item, index) => {
    const clash = items.findIndex(
      (other, otherIndex) => otherIndex < index && key(other) === key(item) && start(other) < end(item) && start(item) < end(other),
    );
    if (clash >= 0) issues.push(index);
  });
  return issues;
}

export function validateWeeklyHours(hours: WeeklyInterval[]): IntervalIssue[] {
  const issues: IntervalIssue[] = [];
  hours.forEach((interval, index) => {
    if (!Number.isInteger(interval.weekday) || interval.weekday < 1 || interval.weekday > 7) {
      issues.push({ index, field: 'weekday', message: 'Must be 1 (Monday) to 7 (Sunday)' });
    }
    if (secondsOfDay(interval.startTime) >= secondsOfDay(interval.endTime)) {
      issues.push({ index, field: 'endTime', message: 'Must be after startTime' });
    }
  });
  for (const index of overlapping(hours, (h) => String(h.weekday), (h) => secondsOfDay(h.startTime), (h) => secondsOfDay(h.endTime))) {
    issues.push({ index, field: 'startTime', message: 'Overlaps another interval of the same weekday' });
  }
  return issues;
}

export function validateOverrides(overrides: DateOverride[]): IntervalIssue[] {
  const issues: IntervalIssue[] = [];
  overrides.forEach((override, index) => {
    const hasStart = override.startTime != null;
    const hasEnd = override.endTime != null;
    if (hasStart !== hasEnd) {
      issues.push({ index, field: hasStart ? 'endTime' : 'startTime', message: 'Give both times, or neither for a closed day' });
    } else if (hasStart && secondsOfDay(override.startTime!) >= secondsOfDay(override.endTime!)) {
      issues.push({ index, field: 'endTime', message: 'Must be after startTime' });
    }
  });
  const open = overrides.map((override, index) => ({ override, index })).filter(({ override }) => override.startTime != null);
  for (const position of overlapping(
    open,
    ({ override }) => override.date,
    ({ override }) => secondsOfDay(override.startTime!),
    ({ override }) => secondsOfDay(override.endTime!),
  )) {
    issues.push({ index: open[position]!.index, field: 'startTime', message: 'Overlaps another interval of the same date' });
  }
  const closedDates = new Set(overrides.filter((o) => o.startTime == null).map((o) => o.date));
  overrides.forEach((override, index) => {
    if (override.startTime != null && closedDates.has(override.date)) {
      issues.push({ index, field: 'date', message: 'This date is also given as closed' });
    }
  });
  return issues;
}
