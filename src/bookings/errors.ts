import { sqlStateOf } from '../db/transaction-retry.ts';
import { DomainError } from '../schema/errors.ts';

/** The time cannot be had: outside bookable hours, or taken by a booking or reservation. */
export class SlotUnavailableError extends DomainError {
  override name = 'SlotUnavailableError';
  constructor(
    message: string,
    readonly startsAt: Date,
  ) {
    super(message, 'SLOT_UNAVAILABLE');
  }
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
