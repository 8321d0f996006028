import type { Knex } from 'knex'
import { NotFoundError } from '../errors.js'
import type { Tables } from '../schema/tables.js'
import type { Dialect } from '../sql/dialect.js'
import type { OrderRow } from './order-row.js'

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
 * @throws `NOT_FOUND` when there is no such order.
 */
export async function lockOrder(
  trx: Knex.Transaction,
  dialect: Dialect,
  tables: Tables,
  orderId: string,
): Promise<OrderRow> {
  const query = trx<OrderRow>(tables.orders).where({ id: orderId }).first()
  // Knex warns for FOR UPDATE on SQLite, which ignores it anyway.
  if (dialect !== 'sqlite3') query.forUpdate()
  const row = (await query) as OrderRow | undefined
  if (!row) throw new NotFoundError('order', orderId)
  return row
}
