/** The life of a booking (Timekit graphs, Cal.com lifecycle), as plain data. */

export const BOOKING_STATUSES = ['TENTATIVE', 'CONFIRMED', 'DECLINED', 'CANCELLED', 'RESCHEDULED', 'COMPLETED', 'NO_SHOW'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
export type BookingAction = 'CONFIRM' | 'DECLINE' | 'CANCEL' | 'RESCHEDULE' | 'COMPLETE' | 'MARK_NO_SHOW';
export type ConfirmationFlow = 'INSTANT' | 'CONFIRM_DECLINE';

export function initialStatus(flow: ConfirmationFlow): BookingStatus {
  return flow === 'INSTANT' ? 'CONFIRMED' : 'TENTATIVE';
}

const TRANSITIONS: Record<BookingAction, { from: readonly BookingStatus[]; to: BookingStatus }> = {
  CONFIRM: { from: ['TENTATIVE'], to: 'CONFIRMED' },
  DECLINE: { from: ['TENTATIVE'], to: 'DECLINED' },
  CANCEL: { from: ['TENTATIVE', 'CONFIRMED'], to: 'CANCELLED' },
  RESCHEDULE: { from: ['TENTATIVE', 'CONFIRMED'], to: 'RESCHEDULED' },
  COMPLETE: { from: ['CONFIRMED'], to: 'COMPLETED' },
  MARK_NO_SHOW: { from: ['CONFIRMED'], to: 'NO_SHOW' },
};

/** The status after `action`, or null when the booking's status does not allow it. */
export function transition(status: BookingStatus, action: BookingAction): BookingStatus | null {
  const rule = TRANSITIONS[action];
  return rule.from.includes(status) ? rule.to : null;
}

/** Statuses whose time stays taken: only these hold the agents' calendars. */
export function holdsTime(status: BookingStatus): boolean {
  return status === 'TENTATIVE' || status === 'CONFIRMED' || status === 'COMPLETED' || status === 'NO_SHOW';
}

/** TimeZest's scheduling request: NEW → SENT → SCHEDULED, or CANCELLED / CLOSED. */
export const SCHEDULING_REQUEST_STATUSES = ['NEW', 'SENT', 'SCHEDULED', 'CANCELLED', 'CLOSED'] as const;
export type SchedulingRequestStatus = (typeof SCHEDULING_REQUEST_STATUSES)[number];
export type SchedulingRequestAction = 'SEND' | 'SCHEDULE' | 'CANCEL' | 'CLOSE';

const REQUEST_TRANSITIONS: Record<SchedulingRequestAction, { from: readonly SchedulingRequestStatus[]; to: SchedulingRequestStatus }> = {
  SEND: { from: ['NEW'], to: 'SENT' },
  SCHEDULE: { from: ['NEW', 'SENT'], to: 'SCHEDULED' },
  CANCEL: { from: ['NEW', 'SENT'], to: 'CANCELLED' },
  CLOSE: { from: ['NEW', 'SENT', 'SCHEDULED'], to: 'CLOSED' },
};

export function requestTransition(status: SchedulingRequestStatus, action: SchedulingRequestAction): SchedulingRequestStatus | null {
  const rule = REQUEST_TRANSITIONS[action];
  return rule.from.includes(status) ? rule.to : null;
}
