import { DateTime, FixedOffsetZone } from 'luxon';
import { sqlStateOf } from '../db/transaction-retry.ts';
import type { SlotUnavailableReason } from '../scheduling/availability.ts';
import { writtenOffsetMinutes } from '../scheduling/time-zone.ts';
import { DomainError } from '../schema/errors.ts';

const WHY: Record<SlotUnavailableReason, string> = {
  IN_THE_PAST: 'it is in the past',
  TOO_SOON: 'it is within the appointment type’s minimum notice',
  BEYOND_WINDOW: 'it is beyond the appointment type’s booking window',
  OUTSIDE_WORKING_HOURS: 'it is outside working hours',
  HOLIDAY: 'it falls on a holiday',
  OFF_INTERVAL: 'it is not on the appointment type’s slot interval',
  TAKEN: 'the time is taken',
};

/** The time cannot be had, for `reason`. `startsAt` keeps the offset the caller wrote it in. */
export class SlotUnavailableError extends DomainError {
  override name = 'SlotUnavailableError';
  constructor(
    readonly reason: SlotUnavailableReason,
    readonly startsAt: Date,
    subject = 'this resource',
  ) {
    super(`${requestedStart(startsAt).toISO()} is not an available slot of ${subject}: ${WHY[reason]}`, 'SLOT_UNAVAILABLE');
  }

  /** The requested start in the offset it was given in. */
  get requestedStart(): DateTime {
    return requestedStart(this.startsAt);
  }
}

function requestedStart(startsAt: Date): DateTime {
  return DateTime.fromMillis(startsAt.getTime(), { zone: FixedOffsetZone.instance(writtenOffsetMinutes(startsAt)) });
}

export class InvalidTransitionError extends DomainError {
  override name = 'InvalidTransitionError';
  constructor(
    readonly id: string,
    readonly status: string,
    readonly action: string,
  ) {
    super(`Cannot ${action.toLowerCase().replaceAll('_', ' ')} ${id}: it is ${status}`, 'INVALID_TRANSITION');
  }
}

/** A reservation that expired, was released or was already converted: it can no longer be booked. */
export class ReservationUnavailableError extends DomainError {
  override name = 'ReservationUnavailableError';
  constructor(
    readonly reservationId: string,
    readonly reason: 'EXPIRED' | 'RELEASED' | 'CONVERTED',
  ) {
    super(`Reservation ${reservationId} is ${reason.toLowerCase()}`, 'RESERVATION_UNAVAILABLE');
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  override name = 'IdempotencyKeyReusedError';
  constructor(readonly key: string) {
    super(`Idempotency key "${key}" was already used with a different input`, 'IDEMPOTENCY_KEY_REUSED');
  }
}

/** SQLSTATE 23P01 (exclusion_violation): another booking or reservation holds that time. */
export function isExclusionViolation(error: unknown): boolean {
  return sqlStateOf(error) === '23P01';
}
