import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import type { BenchDatabase } from '../databases.js'
import type { BenchOrderInput, Dialect, Implementation } from '../workload.js'
import { ORDER_NUMBER_COUNTER, TABLES } from '../workload.js'
import { fulfilAndShip } from './knex-fulfillment.js'
import { captureAndRefund } from './knex-payments.js'
import { type DriverRow, eventRow, lineRows, orderRow, toOrder, toOrders } from './rows.js'

/*
 * (b) The floor for any library on Knex: the fewest statements that have the same effect as the
 * library's call, written by hand with the query builder.
 * W1: one transaction: bump the counter (returning the value; on MySQL LAST_INSERT_ID), insert the
 *     order, insert the three lines in one statement, insert the order_placed event.
 * W2: select the order, select its lines. W3: select 50 orders newest first, select their lines.
 * W4: one transaction: select status and version, conditional update, insert the status_changed event.
 * W5: per batch, one transaction: bump the counter by the batch size, one multi-row insert per table.
 * W7: see knex-payments.ts. W8: see knex-fulfillment.ts.
 */

/** Orders per import batch. SQLite compiles a multi-row insert as a compound SELECT, at most 500 terms. */
function importBatchSize(dialect: Dialect): number {
  return dialect === 'sqlite3' ? 150 : 500
}

/** Advances the order number counter by `count` and returns its new value (the last number taken). */
export async function bumpCounter(trx: Knex.Transaction, dialect: Dialect, count: number): Promise<number> {
  if (dialect === 'mysql') {
    // MySQL has no UPDATE … RETURNING: LAST_INSERT_ID(expr) makes the new value this session's insertId.
    const [result] = (await trx.raw(
      `update ${TABLES.counters} set value = last_insert_id(value + ?) where name = ?`,
      [count, ORDER_NUMBER_COUNTER],
    )) as [{ insertId: number }]
    return Number(result.insertId)
  }
  const rows = (await trx(TABLES.counters)
    .where({ name: ORDER_NUMBER_COUNTER })
    .update({ value: trx.raw('value + ?', [count]) }, ['value'])) as Array<{ value: unknown }>
  return Number(rows[0]?.value)
}

/** Creates the Knex baseline over the shared Knex pool. */
export function createKnexBaseline(db: BenchDatabase): Implementation {
  const { knex, dialect } = db

  return {
    key: 'knex',
    label: '(b) Knex baseline',

    async createOrder(input) {
      const id = uuidv7()
      const at = new Date()
      await knex.transaction(async (trx) => {
        const number = await bumpCounter(trx, dialect, 1)
        await trx(TABLES.orders).insert(orderRow(dialect, input, id, number, at))
        await trx(TABLES.orderLines).insert(lineRows(input, id))
        await trx(TABLES.orderEvents).insert(eventRow(dialect, id, at))
      })
      return id
    },

    async getOrder(id) {
      const row = (await knex(TABLES.orders).where({ id }).first()) as DriverRow | undefined
      if (!row) throw new Error(`order ${id} not found`)
      const lines = (await knex(TABLES.orderLines).where({ order_id: id }).orderBy('position')) as DriverRow[]
      return toOrder(row, lines).items.length
    },

    async listCustomerOrders(customerId, limit) {
      const rows = (await knex(TABLES.orders)
        .where({ customer_id: customerId })
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(limit)) as DriverRow[]
      const lines =
        rows.length === 0
          ? []
          : ((await knex(TABLES.orderLines)
              .whereIn(
                'order_id',
                rows.map((r) => String(r.id)),
              )
              .orderBy(['order_id', 'position'])) as DriverRow[])
      const orders = toOrders(rows, lines)
      return [orders.length, orders.reduce((sum, o) => sum + o.items.length, 0)]
    },

    async markPaid(id) {
      const at = new Date()
      await knex.transaction(async (trx) => {
        const row = (await trx(TABLES.orders).where({ id }).first('status', 'version')) as
          | { status: string; version: unknown }
          | undefined
        if (row?.status !== 'pending') throw new Error(`order ${id} is not pending`)
        const version = Number(row.version)
        const updated = await trx(TABLES.orders)
          .where({ id, version, status: 'pending' })
          .update({
            status: 'paid',
            version: version + 1,
            updated_at: dialect === 'sqlite3' ? at.getTime() : at,
          })
        if (updated !== 1) throw new Error(`order ${id} changed meanwhile`)
        await trx(TABLES.orderEvents).insert(eventRow(dialect, id, at, 'pending', 'paid'))
      })
    },

    async fulfilAndShip(orderId) {
      await fulfilAndShip(knex, dialect, orderId)
    },

    async captureAndRefund(order) {
      await captureAndRefund(knex, dialect, order)
    },

    async importOrders(inputs) {
      const size = importBatchSize(dialect)
      for (let start = 0; start < inputs.length; start += size) {
        const batch = inputs.slice(start, start + size)
        await knex.transaction(async (trx) => {
          const last = await bumpCounter(trx, dialect, batch.length)
          await insertBatch(trx, dialect, batch, last - batch.length + 1)
        })
      }
    },
  }
}

async function insertBatch(
  trx: Knex.Transaction,
  dialect: Dialect,
  batch: readonly BenchOrderInput[],
  firstNumber: number,
): Promise<void> {
  const at = new Date()
  const ids = batch.map(() => uuidv7())
  await trx(TABLES.orders).insert(
    batch.map((input, i) => orderRow(dialect, input, ids[i] ?? '', firstNumber + i, at)),
  )
  await trx(TABLES.orderLines).insert(batch.flatMap((input, i) => lineRows(input, ids[i] ?? '')))
  await trx(TABLES.orderEvents).insert(ids.map((id) => eventRow(dialect, id, at)))
}
