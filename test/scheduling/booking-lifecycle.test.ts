import { describe, expect, it } from 'vitest';
import { BOOKING_STATUSES, holdsTime, initialStatus, requestTransition, transition, type BookingAction } from '../../src/scheduling/booking-lifecycle.ts';

describe('booking lifecycle', () => {
  it('starts INSTANT bookings confirmed and CONFIRM_DECLINE ones tentative', () => {
    expect(initialStatus('INSTANT')).toBe('CONFIRMED');
    expect(initialStatus('CONFIRM_DECLINE')).toBe('TENTATIVE');
  });

  it('allows exactly the documented transitions', () => {
    const allowed = Object.fromEntries(
      (['CONFIRM', 'DECLINE', 'CANCEL', 'RESCHEDULE', 'COMPLETE', 'MARK_NO_SHOW'] as BookingAction[]).map((action) => [
        action,
        Object.fromEntries(BOOKING_STATUSES.map((status) => [status, transition(status, action)]).filter(([, next]) => next !== null)),
      ]),
    );
    expect(allowed).toEqual({
      CONFIRM: { TENTATIVE: 'CONFIRMED' },
      DECLINE: { TENTATIVE: 'DECLINED' },
      CANCEL: { TENTATIVE: 'CANCELLED', CONFIRMED: 'CANCELLED' },
      RESCHEDULE: { TENTATIVE: 'RESCHEDULED', CONFIRMED: 'RESCHEDULED' },
      COMPLETE: { CONFIRMED: 'COMPLETED' },
      MARK_NO_SHOW: { CONFIRMED: 'NO_SHOW' },
    });
  });

  it('keeps time taken only while the appointment stands or took place', () => {
    expect(BOOKING_STATUSES.filter(holdsTime)).toEqual(['TENTATIVE', 'CONFIRMED', 'COMPLETED', 'NO_SHOW']);
  });

  it('moves scheduling requests NEW → SENT → SCHEDULED → CLOSED, and cancels only before scheduling', () => {
    expect(requestTransition('NEW', 'SEND')).toBe('SENT');
    expect(requestTransition('SENT', 'SEND')).toBeNull();
    expect(requestTransition('SENT', 'SCHEDULE')).toBe('SCHEDULED');
    expect(requestTransition('SCHEDULED', 'CANCEL')).toBeNull();
    expect(requestTransition('SCHEDULED', 'CLOSE')).toBe('CLOSED');
    expect(requestTransition('CANCELLED', 'CLOSE')).toBeNull();
  });
});
