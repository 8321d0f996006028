import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import type { Dialect, PaymentFixture } from '../workload.js'
import { lineRefundAmount, TABLES, W7 } from '../workload.js'
import { orderMoneyAfter, paymentStatusOf } from './money.js'
import { dbDate, eventRow } from './rows.js'

/*
 * (b) W7 by hand: the fewest statements with the library's effect, in the same two transactions, each
 * under the order's row lock. No idempotency key, no ledger read back for an answer.
 * Capture: lock the order and read its payment in one statement (a join; FOR UPDATE on the servers locks
 *          both rows), raise the payment's captured amount on the condition that it stays within the
 *          authorization, append the ledger row, write the order's sums and payment status (and, when the
 *          capture pays it in full, its status, with the status_changed event). Four statements.
 * Refund:  lock the order, reading its payment and the refunded line in the same join, raise the line's
 *          refunded units and the payment's refunded amount, each on the condition that it stays within
 *          its bound, append the ledger row and its refund line, write the order's sums. Six statements.
 *          Knowing the order is unfulfilled (read under the lock), it skips the goods read the library
 *          makes after a refund by line: with no unit in a parcel, neither the order's fulfillment status
 *          nor its status can follow the refund.
 */

interface LockedRow {
  status: string
  version: unknown
  total: unknown
  captured_total: unknown
  refunded_total: unknown
  fulfillment_status: string
  amount: unknown
  captured_amount: unknown
  refunded_amount: unknown
  voided_amount: unknown
}

interface LockedLine {
  quantity: unknown
  line_total: unknown
  tax_total: unknown
  discount_total: unknown
  refunded_quantity: unknown
}

const ORDER_COLUMNS = [
  'o.status',
  'o.version',
  'o.total',
  'o.captured_total',
  'o.refunded_total',
  'o.fulfillment_status',
]
const PAYMENT_COLUMNS = ['p.amount', 'p.captured_amount', 'p.refunded_amount', 'p.voided_amount']
const LINE_COLUMNS = [
  'l.quantity',
  'l.total as line_total',
  'l.tax_total',
  'l.discount_total',
  'l.refunded_quantity',
]

/** The order, its payment (and, for a refund, the line) under the order's lock, in one statement. */
async function lock<T extends object>(
  trx: Knex.Transaction,
  dialect: Dialect,
  f: PaymentFixture,
  withLine: boolean,
): Promise<LockedRow & T> {
  const query = trx({ o: TABLES.orders })
    .join({ p: TABLES.payments }, 'p.order_id', 'o.id')
    .where({ 'o.id': f.orderId, 'p.id': f.paymentId })
  if (withLine) query.join({ l: TABLES.orderLines }, 'l.order_id', 'o.id').where('l.id', f.lineId)
  query.first([...ORDER_COLUMNS, ...PAYMENT_COLUMNS, ...(withLine ? LINE_COLUMNS : [])])
  // Knex warns for FOR UPDATE on SQLite, which has no row locks (one writer at a time).
  if (dialect !== 'sqlite3') query.forUpdate()
  const row = (await query) as (LockedRow & T) | undefined
  if (!row) throw new Error(`order ${f.orderId} has no payment ${f.paymentId}`)
  return row
}

const sumsOf = (row: LockedRow) => ({
  amount: Number(row.amount),
  captured: Number(row.captured_amount),
  refunded: Number(row.refunded_amount),
  voided: Number(row.voided_amount),
})

const moneyOf = (row: LockedRow) => ({
  status: row.status,
  total: Number(row.total),
  capturedTotal: Number(row.captured_total),
  refundedTotal: Number(row.refunded_total),
})

/** The order's sums and payment status, and its status with the event when money moved it. */
async function settleOrder(
  trx: Knex.Transaction,
  dialect: Dialect,
  orderId: string,
  row: LockedRow,
  change: { captured?: number; refunded?: number },
  now: Date,
): Promise<void> {
  const after = orderMoneyAfter(moneyOf(row), change)
  const moved = after.status !== row.status
  await trx(TABLES.orders)
    .where({ id: orderId })
    .update({
      captured_total: after.capturedTotal,
      refunded_total: after.refundedTotal,
      payment_status: after.paymentStatus,
      updated_at: dbDate(dialect, now),
      ...(moved ? { status: after.status, version: Number(row.version) + 1 } : {}),
    })
  if (moved) await trx(TABLES.orderEvents).insert(eventRow(dialect, orderId, now, row.status, after.status))
}

/** Captures {@link W7.capture}, then refunds one unit of the fixture's line by line. */
export async function captureAndRefund(knex: Knex, dialect: Dialect, f: PaymentFixture): Promise<void> {
  await knex.transaction(async (trx) => {
    const row = await lock(trx, dialect, f, false)
    const sums = sumsOf(row)
    const now = new Date()
    const at = dbDate(dialect, now)
    const captured = await trx(TABLES.payments)
      .where({ id: f.paymentId })
      .whereRaw('?? + ? + ?? <= ??', ['captured_amount', W7.capture, 'voided_amount', 'amount'])
      .update({
        captured_amount: trx.raw('?? + ?', ['captured_amount', W7.capture]),
        status: paymentStatusOf({ ...sums, captured: sums.captured + W7.capture }),
        version: trx.raw('?? + 1', ['version']),
        updated_at: at,
      })
    if (captured !== 1) throw new Error(`payment ${f.paymentId} has less than ${W7.capture} to capture`)
    await trx(TABLES.paymentTransactions).insert({
      id: uuidv7(),
      payment_id: f.paymentId,
      type: 'capture',
      amount: W7.capture,
      reference: null,
      note: null,
      actor: null,
      created_at: at,
    })
    await settleOrder(trx, dialect, f.orderId, row, { captured: W7.capture }, now)
  })

  await knex.transaction(async (trx) => {
    const row = await lock<LockedLine>(trx, dialect, f, true)
    if (row.fulfillment_status !== 'unfulfilled') throw new Error(`order ${f.orderId} has parcels`)
    const amount = lineRefundAmount(
      {
        quantity: Number(row.quantity),
        total: Number(row.line_total),
        taxTotal: Number(row.tax_total),
        discountTotal: Number(row.discount_total),
        refundedQuantity: Number(row.refunded_quantity),
      },
      W7.refundUnits,
    )
    const sums = sumsOf(row)
    const now = new Date()
    const at = dbDate(dialect, now)
    const units = await trx(TABLES.orderLines)
      .where({ id: f.lineId })
      .whereRaw('?? + ? <= ??', ['refunded_quantity', W7.refundUnits, 'quantity'])
      .increment('refunded_quantity', W7.refundUnits)
    const money = await trx(TABLES.payments)
      .where({ id: f.paymentId })
      .whereRaw('?? + ? <= ??', ['refunded_amount', amount, 'captured_amount'])
      .update({
        refunded_amount: trx.raw('?? + ?', ['refunded_amount', amount]),
        status: paymentStatusOf({ ...sums, refunded: sums.refunded + amount }),
        version: trx.raw('?? + 1', ['version']),
        updated_at: at,
      })
    if (units !== 1 || money !== 1) throw new Error(`payment ${f.paymentId} cannot refund ${amount}`)
    const transactionId = uuidv7()
    await trx(TABLES.paymentTransactions).insert({
      id: transactionId,
      payment_id: f.paymentId,
      type: 'refund',
      amount,
      reference: null,
      note: null,
      actor: null,
      created_at: at,
    })
    await trx(TABLES.refundLines).insert({
      id: uuidv7(),
      transaction_id: transactionId,
      line_id: f.lineId,
      quantity: W7.refundUnits,
      amount,
    })
    await settleOrder(trx, dialect, f.orderId, row, { refunded: amount }, now)
  })
}
