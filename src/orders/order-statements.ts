import type { Knex } from 'knex'
import type { Tables } from '../schema/tables.js'
import { clockMillisSql } from '../sql/clock.js'
import type { Dialect } from '../sql/dialect.js'
import { identifiers, lockClause, placeholders, type SqlStatement, sqlText } from '../sql/statements.js'

/*
 * The SQL of the order paths every checkout runs (place, read, list, move), written once per table
 * prefix and shape and run as prepared statements (see sql/statements.ts). Each function returns the
 * text and its bindings together, so a text and the order of its values cannot drift apart.
 */

/**
 * The order `id`, every column; a locking read (`for share`) on the servers when `newest` is set, which
 * reads the newest committed row where a plain read in a REPEATABLE READ transaction reads its snapshot.
 */
export function selectOrder(
  db: Knex,
  dialect: Dialect,
  tables: Tables,
  id: string,
  newest = false,
): SqlStatement {
  const sql = sqlText(db, `order:${tables.orders}:${newest}`, () => {
    const [orders, idColumn] = identifiers(db, tables.orders, 'id')
    return `select * from ${orders} where ${idColumn} = ?${newest ? lockClause(dialect, 'share') : ''}`
  })
  return { sql, bindings: [id] }
}

/** The order `id`, every column, and the database's clock in milliseconds as `clock_ms`. */
export function selectOrderWithClock(db: Knex, dialect: Dialect, tables: Tables, id: string): SqlStatement {
  const sql = sqlText(db, `order-clock:${tables.orders}`, () => {
    const [orders, idColumn, clock] = identifiers(db, tables.orders, 'id', 'clock_ms')
    return `select *, ${clockMillisSql(dialect)} as ${clock} from ${orders} where ${idColumn} = ?`
  })
  return { sql, bindings: [id] }
}

/**
 * The lines of the orders `orderIds` (at least one), every column, in order and position order: the
 * (order_id, position) unique index serves it. Locking (`for share`) on the servers when `newest` is set.
 */
export function selectLines(
  db: Knex,
  dialect: Dialect,
  tables: Tables,
  orderIds: readonly string[],
  newest = false,
): SqlStatement {
  const sql = sqlText(db, `lines:${tables.orderLines}:${orderIds.length}:${newest}`, () => {
    const [lines, orderId, position] = identifiers(db, tables.orderLines, 'order_id', 'position')
    const match =
      orderIds.length === 1 ? `${orderId} = ?` : `${orderId} in (${placeholders(orderIds.length)})`
    const lock = newest ? lockClause(dialect, 'share') : ''
    return `select * from ${lines} where ${match} order by ${orderId} asc, ${position} asc${lock}`
  })
  return { sql, bindings: orderIds }
}

/**
 * The customers `ids` (at least one): id, email and when they were erased, share-locked on the servers
 * so that an erasure waits for the order being placed, or wins before it (see order-writer.ts); with
 * `clock`, also the database's clock in milliseconds as `now_ms`.
 */
export function selectCustomerEmails(
  db: Knex,
  dialect: Dialect,
  tables: Tables,
  ids: readonly string[],
  clock = false,
): SqlStatement {
  const sql = sqlText(db, `customer-emails:${tables.customers}:${ids.length}:${clock}`, () => {
    const [customers, id, email, anonymizedAt, nowMs] = identifiers(
      db,
      tables.customers,
      'id',
      'email',
      'anonymized_at',
      'now_ms',
    )
    const where = ids.length === 1 ? `${id} = ?` : `${id} in (${placeholders(ids.length)})`
    const columns = `${id}, ${email}, ${anonymizedAt}${clock ? `, ${clockMillisSql(dialect)} as ${nowMs}` : ''}`
    return `select ${columns} from ${customers} where ${where}${lockClause(dialect, 'share')}`
  })
  return { sql, bindings: ids }
}

/** What {@link updateStatus} changes, and the state it must find. */
export interface StatusChange {
  readonly id: string
  readonly from: string
  readonly to: string
  /** The version read; the row moves to `version + 1`. */
  readonly version: number
  /** The stored form of the change's time. */
  readonly at: unknown
}

/**
 * Moves the order from `from` at `version` to `to` and `version + 1` and advances its outbox counter by
 * one, only if it is still in that state: of racing callers exactly one matches the row.
 */
export function updateStatus(db: Knex, tables: Tables, change: StatusChange): SqlStatement {
  const sql = sqlText(db, `order-status:${tables.orders}`, () => {
    const [orders, status, version, updatedAt, sequence, id] = identifiers(
      db,
      tables.orders,
      'status',
      'version',
      'updated_at',
      'outbox_sequence',
      'id',
    )
    return (
      `update ${orders} set ${status} = ?, ${version} = ?, ${updatedAt} = ?, ${sequence} = ${sequence} + 1 ` +
      `where ${id} = ? and ${version} = ? and ${status} = ?`
    )
  })
  return {
    sql,
    bindings: [change.to, change.version + 1, change.at, change.id, change.version, change.from],
  }
}
