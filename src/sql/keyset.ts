import type { Knex } from 'knex'
import { ValidationError } from '../errors.js'
import { isStorableMillis } from './date-range.js'
import type { Dialect } from './dialect.js'
import { toDbDate } from './values.js'

/*
 * Keyset pagination, newest first, on (created_at, id): ids are UUIDv7, increasing within a
 * millisecond, so the pair orders rows exactly by creation and a page boundary never repeats or skips
 * a row, however many rows are added meanwhile. The cursor is opaque to callers: base64url JSON of the
 * last row's key.
 */

/** The position after which the next page starts. */
export interface KeysetPosition {
  readonly createdAt: Date
  readonly id: string
}

/** Encodes the last row of a page as a cursor. */
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.getTime(), position.id]), 'utf8').toString(
    'base64url',
  )
}

/** Decodes a cursor, or throws VALIDATION_FAILED at `path` when it is not one of ours. */
export function decodeCursor(cursor: string, path = 'cursor'): KeysetPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2) {
      const [ms, id] = value as [unknown, unknown]
      // Decoded cursors are input like any other: a forged time outside the stored range is refused.
      if (typeof ms === 'number' && isStorableMillis(ms) && typeof id === 'string' && isCursorId(id)) {
        return { createdAt: new Date(ms), id }
      }
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError([{ path, message: 'is not a cursor returned by a previous page' }])
}

/** An id as the store makes them (UUIDv7 text): anything else in a cursor was not written by us. */
function isCursorId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)
}

/**
 * Restricts `query` to rows after `position` in newest-first order and sorts it so. The OR form
 * (rather than a row comparison) lets MySQL and MariaDB use the (…, created_at, id) index range.
 */
export function newestFirstAfter<T extends Knex.QueryBuilder>(
  query: T,
  dialect: Dialect,
  position: KeysetPosition | undefined,
  columns: { createdAt: string; id: string } = { createdAt: 'created_at', id: 'id' },
): T {
  if (position) {
    const at = toDbDate(dialect, position.createdAt)
    query.where((w) =>
      w
        .where(columns.createdAt, '<', at)
        .orWhere((tie) => tie.where(columns.createdAt, at).andWhere(columns.id, '<', position.id)),
    )
  }
  query.orderBy([
    { column: columns.createdAt, order: 'desc' },
    { column: columns.id, order: 'desc' },
  ])
  return query
}

/**
 * Splits `limit + 1` fetched rows into a page and its cursor: the extra row only says that another page
 * exists, so no COUNT is needed.
 */
export function splitPage<R>(
  rows: R[],
  limit: number,
  positionOf: (row: R) => KeysetPosition,
): { pageRows: R[]; nextCursor: string | null } {
  const pageRows = rows.slice(0, limit)
  const last = pageRows[pageRows.length - 1]
  return { pageRows, nextCursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null }
}
