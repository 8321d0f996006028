import { raw, type Transaction } from 'objection'
import { uuidv7 } from 'uuidv7'
import type { Dialect, PaymentFixture } from '../workload.js'
import { lineRefundAmount, W7 } from '../workload.js'
import { orderMoneyAfter, paymentStatusOf } from './money.js'
import { OrderModel, PaymentModel } from './objection-models.js'
import { dbDate } from './rows.js'

/*
 * (d) W7 in Objection, as its docs show: each step in OrderModel.transaction, the order read with
 * findById and locked with forUpdate() (not on SQLite, which has no row locks), the payment and the line
 * read through the order's relations ($relatedQuery), the sums raised with patch on a raw increment and a
 * whereRaw bound, the capture row inserted through the payment's relation and the refund row with its
 * refund line in one insertGraph, the order patched with $query().patch. The same work as the Knex
 * floor (impl/knex-payments.ts): the payment and the line come by their own statements, where the floor
 * joins them to the order's lock.
 */

async function lockOrder(trx: Transaction, dialect: Dialect, id: string): Promise<OrderModel> {
  const query = OrderModel.query(trx).findById(id)
  const order = await (dialect === 'sqlite3' ? query : query.forUpdate())
  if (!order) throw new Error(`order ${id} not found`)
  return order
}

async function paymentOf(trx: Transaction, order: OrderModel, id: string): Promise<PaymentModel> {
  const payment = await order.$relatedQuery('payments', trx).findById(id)
  if (!payment) throw new Error(`order ${order.id} has no payment ${id}`)
  return payment
}

const sumsOf = (p: PaymentModel) => ({
  amount: p.amount,
  captured: p.capturedAmount,
  refunded: p.refundedAmount,
  voided: p.voidedAmount,
})

/** The order's sums and payment status, and its status with the event when money moved it. */
async function settleOrder(
  trx: Transaction,
  dialect: Dialect,
  order: OrderModel,
  change: { captured?: number; refunded?: number },
  now: Date,
): Promise<void> {
  const after = orderMoneyAfter(
    {
      status: order.status,
      total: order.total,
      capturedTotal: order.capturedTotal ?? 0,
      refundedTotal: order.refundedTotal ?? 0,
    },
    change,
  )
  const moved = after.status !== order.status
  const from = order.status
  await order.$query(trx).patch({
    capturedTotal: after.capturedTotal,
    refundedTotal: after.refundedTotal,
    paymentStatus: after.paymentStatus,
    updatedAt: dbDate(dialect, now),
    ...(moved ? { status: after.status, version: order.version + 1 } : {}),
  })
  if (moved) {
    await order.$relatedQuery('events', trx).insert({
      id: uuidv7(),
      type: 'status_changed',
      fromStatus: from,
      toStatus: after.status,
      note: null,
      actor: null,
      createdAt: dbDate(dialect, now),
    })
  }
}

/** Captures {@link W7.capture}, then refunds one unit of the fixture's line by line. */
export async function captureAndRefund(dialect: Dialect, f: PaymentFixture): Promise<void> {
  await OrderModel.transaction(async (trx) => {
    const order = await lockOrder(trx, dialect, f.orderId)
    const payment = await paymentOf(trx, order, f.paymentId)
    const sums = sumsOf(payment)
    const now = new Date()
    const at = dbDate(dialect, now)
    const captured = await PaymentModel.query(trx)
      .findById(f.paymentId)
      .whereRaw('?? + ? + ?? <= ??', ['captured_amount', W7.capture, 'voided_amount', 'amount'])
      .patch({
        capturedAmount: raw('?? + ?', ['captured_amount', W7.capture]),
        status: paymentStatusOf({ ...sums, captured: sums.captured + W7.capture }),
        version: raw('?? + 1', ['version']),
        updatedAt: at,
      })
    if (captured !== 1) throw new Error(`payment ${f.paymentId} has less than ${W7.capture} to capture`)
    await payment.$relatedQuery('transactions', trx).insert({
      id: uuidv7(),
      type: 'capture',
      amount: W7.capture,
      reference: null,
      note: null,
      actor: null,
      createdAt: at,
    })
    await settleOrder(trx, dialect, order, { captured: W7.capture }, now)
  })

  await OrderModel.transaction(async (trx) => {
    const order = await lockOrder(trx, dialect, f.orderId)
    if (order.fulfillmentStatus !== 'unfulfilled') throw new Error(`order ${f.orderId} has parcels`)
    const payment = await paymentOf(trx, order, f.paymentId)
    const line = await order.$relatedQuery('lines', trx).findById(f.lineId)
    if (!line) throw new Error(`order ${f.orderId} has no line ${f.lineId}`)
    const amount = lineRefundAmount(
      {
        quantity: line.quantity,
        total: line.total,
        taxTotal: line.taxTotal,
        discountTotal: line.discountTotal,
        refundedQuantity: line.refundedQuantity ?? 0,
      },
      W7.refundUnits,
    )
    const sums = sumsOf(payment)
    const now = new Date()
    const at = dbDate(dialect, now)
    const units = await line
      .$query(trx)
      .whereRaw('?? + ? <= ??', ['refunded_quantity', W7.refundUnits, 'quantity'])
      .patch({ refundedQuantity: raw('?? + ?', ['refunded_quantity', W7.refundUnits]) })
    const money = await PaymentModel.query(trx)
      .findById(f.paymentId)
      .whereRaw('?? + ? <= ??', ['refunded_amount', amount, 'captured_amount'])
      .patch({
        refundedAmount: raw('?? + ?', ['refunded_amount', amount]),
        status: paymentStatusOf({ ...sums, refunded: sums.refunded + amount }),
        version: raw('?? + 1', ['version']),
        updatedAt: at,
      })
    if (units !== 1 || money !== 1) throw new Error(`payment ${f.paymentId} cannot refund ${amount}`)
    await payment.$relatedQuery('transactions', trx).insertGraph({
      id: uuidv7(),
      type: 'refund',
      amount,
      reference: null,
      note: null,
      actor: null,
      createdAt: at,
      refundLines: [{ id: uuidv7(), lineId: f.lineId, quantity: W7.refundUnits, amount }],
    })
    await settleOrder(trx, dialect, order, { refunded: amount }, now)
  })
}
