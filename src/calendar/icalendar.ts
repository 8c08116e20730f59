import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus, type ICalEventData } from 'ical-generator';
import type { BookingStatus } from '../scheduling/booking-lifecycle.ts';

/** What the calendar objects say of their producer (RFC 5545 PRODID). */
const PRODUCT = { company: 'Open Scheduling Gateway', product: 'Calendar feeds', language: 'EN' };
/** How often a subscribed calendar is asked to look again (REFRESH-INTERVAL, X-PUBLISHED-TTL); most apps poll less often anyway. */
const FEED_REFRESH_SECONDS = 15 * 60;

export interface Person {
  name: string;
  email: string;
}

/** One booking as a calendar event. Times are instants: they are written in UTC. */
export interface CalendarEvent {
  /** The id of the first booking of its chain of reschedules: the same event however often it moves. */
  uid: string;
  /** Reschedules so far. */
  sequence: number;
  status: BookingStatus;
  startsAt: Date;
  endsAt: Date;
  summary: string;
  description: string | null;
  location: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Invitation extends CalendarEvent {
  organizer: Person;
  attendees: Array<Person & { role: 'customer' | 'agent' }>;
}

/**
 * A booking's status as an event's STATUS. A declined booking will not take
 * place any more than a cancelled one; a completed or no-show booking was
 * confirmed. RESCHEDULED never reaches a calendar: its replacement carries
 * the same UID with a higher SEQUENCE.
 */
export function calendarStatus(status: BookingStatus): ICalEventStatus {
  switch (status) {
    case 'TENTATIVE':
      return ICalEventStatus.TENTATIVE;
    case 'DECLINED':
    case 'CANCELLED':
    case 'RESCHEDULED':
      return ICalEventStatus.CANCELLED;
    case 'CONFIRMED':
    case 'COMPLETED':
    case 'NO_SHOW':
      return ICalEventStatus.CONFIRMED;
  }
}

/** The iTIP method of a booking's invitation: CANCEL once it will not take place, REQUEST otherwise. */
export function invitationMethod(status: BookingStatus): ICalCalendarMethod.REQUEST | ICalCalendarMethod.CANCEL {
  return calendarStatus(status) === ICalEventStatus.CANCELLED ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST;
}

function eventData(event: CalendarEvent, stamp: Date): ICalEventData {
  return {
    id: event.uid,
    sequence: event.sequence,
    status: calendarStatus(event.status),
    start: event.startsAt,
    end: event.endsAt,
    summary: event.summary,
    description: event.description,
    location: event.location,
    created: event.createdAt,
    lastModified: event.updatedAt,
    stamp,
  };
}

/**
 * A subscribed calendar (no METHOD): each event's DTSTAMP is when it last
 * changed, as RFC 5545 §3.8.7.2 asks of an object without METHOD, so the
 * same bookings always give the same text (which the feed's ETag hashes).
 */
export function renderFeed(feed: { name: string; events: readonly CalendarEvent[] }): string {
  return ical({
    prodId: PRODUCT,
    name: feed.name,
    ttl: FEED_REFRESH_SECONDS,
    events: feed.events.map((event) => eventData(event, event.updatedAt)),
  }).toString();
}

/**
 * One booking as an iTIP message (RFC 5546): REQUEST to put it in a
 * calendar, or CANCEL once it will not take place. A cancellation keeps the
 * booking's SEQUENCE; its later DTSTAMP is what makes it win (§2.1.5).
 */
export function renderInvitation(invitation: Invitation, now: Date): string {
  return ical({
    prodId: PRODUCT,
    method: invitationMethod(invitation.status),
    events: [
      {
        ...eventData(invitation, now),
        organizer: invitation.organizer,
        attendees: invitation.attendees.map((attendee) => ({
          name: attendee.name,
          email: attendee.email,
          role: attendee.role === 'customer' ? ICalAttendeeRole.REQ : ICalAttendeeRole.CHAIR,
          status: attendee.role === 'customer' ? ICalAttendeeStatus.NEEDSACTION : ICalAttendeeStatus.ACCEPTED,
        })),
      },
    ],
  }).toString();
}
