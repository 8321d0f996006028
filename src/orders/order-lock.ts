import type { Knex } from 'knex'
import { NotFoundError } from '../errors.js'
import type { Tables } from '../schema/tables.js'
import type { Dialect } from '../sql/dialect.js'
import { identifier, identifiers, lockClause, queryFirst, sqlText } from '../sql/statements.js'
import type { StoredOrderRow } from './order-row.js'

/**
 * Which order a write locks: the order itself, or the order of one of its payments or fulfillments
 * (whose order never changes), found by the locking statement itself.
 */
export interface OrderRef {
  readonly by: 'order' | 'payment' | 'fulfillment'
  readonly id: string
}

/**
 * Whether a write may find an order through its payment or fulfillment inside the locking statement.
 * Not on MySQL/MariaDB: the subquery there is a consistent read, and under REPEATABLE READ the first one
 * fixes the transaction's snapshot, before the lock is granted; later plain reads would then miss what
 * the previous lock holder committed. There the order's id is read before the transaction.
 */
export function locksThroughChild(dialect: Dialect): boolean {
  return dialect !== 'mysql'
}

/**
 * Reads the order inside `trx` and holds its row lock until the transaction ends. Every write that
 * changes an order's money or goods (payments, refunds, fulfillments) takes this lock first, so two such
 * writes on one order run one after the other and each sees what the other committed: what is left to
 * capture, refund or ship is computed from current rows, never from a stale read.
 *
 * PostgreSQL and MySQL/MariaDB take a row lock (`FOR UPDATE`, which also reads the newest committed row
 * under MariaDB's REPEATABLE READ). SQLite has no row locks: the store's write transactions on one file
 * already take turns (see `runTransaction`), and another process's commit in between makes this
 * transaction's first write fail with SQLITE_BUSY, which re-runs the whole transaction.
 *
 * @param order - The order's id, or an {@link OrderRef} (by payment or fulfillment only where
 * {@link locksThroughChild} allows it).
 * @throws `NOT_FOUND` when there is no such order (or payment, or fulfillment).
 */
export async function lockOrder(
  trx: Knex.Transaction,
  dialect: Dialect,
  tables: Tables,
  order: string | OrderRef,
): Promise<StoredOrderRow> {
  const ref: OrderRef = typeof order === 'string' ? { by: 'order', id: order } : order
  const row = await queryFirst<StoredOrderRow>(trx, {
    sql: lockText(trx, dialect, tables, ref.by),
    bindings: [ref.id],
  })
  if (!row) throw new NotFoundError(ref.by, ref.id)
  return row
}

function lockText(db: Knex, dialect: Dialect, tables: Tables, by: OrderRef['by']): string {
  const child = by === 'payment' ? tables.payments : by === 'fulfillment' ? tables.fulfillments : ''
  return sqlText(db, `order-lock:${tables.orders}:${by}:${child}`, () => {
    const [orders, id, orderId] = identifiers(db, tables.orders, 'id', 'order_id')
    // The subquery reads a column that never changes; the lock is on the order's row only.
    const match = by === 'order' ? '?' : `(select ${orderId} from ${identifier(db, child)} where ${id} = ?)`
    return `select * from ${orders} where ${id} = ${match}${lockClause(dialect, 'update')}`
  })
}
