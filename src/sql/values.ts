import type { Dialect } from './dialect.js'

/*
 * Values in and out of the database, one representation per dialect:
 * - dates: pg `timestamptz(3)` and MySQL `DATETIME(3)` take and give `Date`s through their drivers;
 *   SQLite stores integer milliseconds since the epoch, which sort and compare as numbers.
 * - JSON: stored as text on every dialect (stringified on write, parsed on read) so key order and
 *   every character come back exactly as written; pg's jsonb would reorder keys.
 * - integers: pg returns BIGINT and COUNT as strings and mysql2 may be configured to; convert per
 *   column here, never through global type parsers that would change the host's other queries.
 */

/** A timestamp in the form the dialect stores. */
export type DbDate = Date | number

/** Converts a `Date` to the dialect's stored form. */
export function toDbDate(dialect: Dialect, date: Date): DbDate {
  return dialect === 'sqlite3' ? date.getTime() : date
}

/** Reads a stored timestamp back as a `Date`, whatever form the driver returned it in. */
export function fromDbDate(value: unknown): Date {
  if (value instanceof Date) return value
  if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value))
  if (typeof value === 'string') {
    // Integer milliseconds stored as text, or a driver configured with dateStrings (UTC assumed).
    if (/^\d+$/.test(value)) return new Date(Number(value))
    const iso = value.includes('T') ? value : `${value.replace(' ', 'T')}Z`
    const date = new Date(iso)
    if (!Number.isNaN(date.getTime())) return date
  }
  throw new TypeError(`Unreadable timestamp from the database: ${typeof value}`)
}

/** Reads a stored timestamp that may be NULL. */
export function fromDbDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : fromDbDate(value)
}

/** Serialises a JSON value for a text column; `null` stays SQL NULL. */
export function toDbJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value)
}

/** Parses a JSON text column; drivers that already parsed it pass through. */
export function fromDbJson<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return JSON.parse(value) as T
  if (Buffer.isBuffer(value)) return JSON.parse(value.toString('utf8')) as T
  return value as T
}

/**
 * Converts a BIGINT, INTEGER or COUNT column to a JS number. Values past Number.MAX_SAFE_INTEGER
 * cannot come from the library's own writes, so meeting one is a corrupt row, not a rounding case.
 */
export function fromDbInt(value: unknown): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' || typeof value === 'bigint'
        ? Number(value)
        : Number.NaN
  if (!Number.isSafeInteger(n)) throw new TypeError(`Integer column holds a non-integer or unsafe value`)
  return n
}
