import { z } from 'zod'

/*
 * The instants every supported database stores and compares exactly. MySQL/MariaDB DATETIME ends at
 * 9999-12-31 23:59:59.999 (and starts at year 1000), pg's timestamptz spans 4713 BC to 294276 AD but its
 * driver sends a year 0 or past 9999 in a form the server misreads, and SQLite's integer milliseconds
 * hold anything; the store's own timestamps are all after 1970. So every date that enters (a cursor, a
 * list filter) must lie in [1970-01-01T00:00:00.000Z, 9999-12-31T23:59:59.999Z]; outside it is
 * VALIDATION_FAILED on every dialect, rather than a driver error on one, wrong rows on another and an
 * empty page on the third. On MySQL the range assumes the driver's `timezone` is UTC (`'Z'`); with a
 * local zone, dates in the last hours of 9999 may not convert.
 */

/** The earliest instant accepted: the Unix epoch. */
export const MIN_DATE_MS = 0
/** The latest instant accepted: 9999-12-31T23:59:59.999Z, DATETIME's last. */
export const MAX_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

const RANGE_MESSAGE = 'must be a valid Date from 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z'

/** True when `ms` is a whole millisecond every dialect stores exactly. */
export function isStorableMillis(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= MIN_DATE_MS && ms <= MAX_DATE_MS
}

/** A `Date` input (a list filter): valid and inside the stored range, else VALIDATION_FAILED. */
export const storableDateSchema = z
  .date({ message: RANGE_MESSAGE })
  .refine((date) => isStorableMillis(date.getTime()), RANGE_MESSAGE)
