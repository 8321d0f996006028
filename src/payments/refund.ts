import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { BalanceExceededError, ValidationError } from '../errors.js'
import { readGoods, settleGoods } from '../fulfillments/order-goods.js'
import { lockOrder } from '../orders/order-lock.js'
import type { OrderLineRow, StoredOrderRow } from '../orders/order-row.js'
import { appendOutboxEvents } from '../outbox/outbox-writer.js'
import { insertRows } from '../sql/multi-row-insert.js'
import { fromDbInt, toDbDate } from '../sql/values.js'
import { refundableTotal, unitsRefundAmount } from './allocation.js'
import type { Payment } from './payment.js'
import type { KeyGuard } from './payment-keys.js'
import {
  type LedgerContext,
  ledgerRow,
  lockOrderPayments,
  paymentEvent,
  paymentOf,
  paymentResult,
  settleMoney,
  updatePaymentSums,
} from './payment-ledger.js'
import { type RefundLineRow, sumsOf } from './payment-row.js'
import type { ParsedRefundInput } from './payment-schema.js'

const REFUND_LINE_COLUMNS = ['id', 'transaction_id', 'line_id', 'quantity', 'amount'] as const

type LineAmounts = Pick<
  OrderLineRow,
  'id' | 'quantity' | 'total' | 'tax_total' | 'discount_total' | 'refunded_quantity'
>

/**
 * Refunds captured money of the payment, in `trx` under its order's lock: `input.amount`, or the amount
 * of `input.items` computed from the lines' stored shares ({@link unitsRefundAmount}), raising each
 * line's refunded units.
 *
 * @throws `VALIDATION_FAILED` (a line of another order), `BALANCE_EXCEEDED` (more units than are left
 * on a line, or more money than was captured and not refunded)
 */
export async function refundPayment(
  trx: Knex.Transaction,
  ctx: LedgerContext,
  orderId: string,
  paymentId: string,
  input: ParsedRefundInput,
  guard: KeyGuard,
): Promise<Payment> {
  const { tables, dialect } = ctx
  const locked = await lockOrderPayments(trx, ctx, orderId)
  await guard.check(trx)
  const before = paymentOf(locked, paymentId)
  const items = input.items ?? []
  const refundLines: Array<{ lineId: string; quantity: number; amount: number }> = []
  if (items.length > 0) {
    // Read under the order's lock: refunded units are current, and no other refund of the order runs now.
    const rows = (await trx<OrderLineRow>(tables.orderLines)
      .select('id', 'quantity', 'total', 'tax_total', 'discount_total', 'refunded_quantity')
      .where('order_id', orderId)
      .whereIn(
        'id',
        items.map((i) => i.lineId),
      )) as LineAmounts[]
    const byId = new Map(rows.map((row) => [row.id, row]))
    items.forEach((item, i) => {
      const line = byId.get(item.lineId)
      if (!line) {
        throw new ValidationError([{ path: `items.${i}.lineId`, message: 'is not a line of this order' }])
      }
      const quantity = fromDbInt(line.quantity)
      const refunded = fromDbInt(line.refunded_quantity)
      if (item.quantity > quantity - refunded) {
        throw new BalanceExceededError(item.quantity, quantity - refunded, 'units')
      }
      const refundable = refundableTotal({
        total: fromDbInt(line.total),
        taxTotal: fromDbInt(line.tax_total),
        discountTotal: fromDbInt(line.discount_total),
      })
      const amount = unitsRefundAmount(refundable, quantity, refunded, item.quantity)
      refundLines.push({ lineId: item.lineId, quantity: item.quantity, amount })
    })
  }
  const amount = input.amount ?? refundLines.reduce((sum, line) => sum + line.amount, 0)
  const sums = sumsOf(before)
  const available = sums.captured - sums.refunded
  if (amount > available) throw new BalanceExceededError(amount, available)

  const now = toDbDate(dialect, new Date())
  const payment = await updatePaymentSums(trx, tables, before, { refunded: amount }, now)
  for (const line of refundLines) {
    // Conditional on the units left, the database's own check that a line is never refunded past what
    // was bought, whatever else writes it.
    const count = await trx(tables.orderLines)
      .where({ id: line.lineId, order_id: orderId })
      .whereRaw('?? + ? <= ??', ['refunded_quantity', line.quantity, 'quantity'])
      .increment('refunded_quantity', line.quantity)
    if (count !== 1) throw new BalanceExceededError(line.quantity, 0, 'units')
  }
  const row = ledgerRow(paymentId, 'refund', amount, { ...input, note: input.reason }, now)
  await trx(tables.paymentTransactions).insert(row)
  if (refundLines.length > 0) {
    const rows: RefundLineRow[] = refundLines.map((line) => ({
      id: uuidv7(),
      transaction_id: row.id,
      line_id: line.lineId,
      quantity: line.quantity,
      amount: line.amount,
    }))
    await insertRows(trx, tables.refundLines, REFUND_LINE_COLUMNS, rows)
  }
  // Before the order's update and the outbox events, which come last.
  await guard.record(trx, paymentId, now)
  await settleMoney(trx, ctx, {
    locked,
    payment,
    payments: locked.payments.map((p) => (p.id === paymentId ? payment : p)),
    events: [paymentEvent('payment.refunded', payment, row)],
    note: input.reason ?? null,
    actor: input.actor ?? null,
    now,
  })
  if (refundLines.length > 0) {
    // Units refunded by line leave the order's goods: its fulfillment status, and its status when every
    // unit left has shipped, follow as after a fulfillment write, still under the order's row lock.
    const order = (await lockOrder(trx, dialect, tables, orderId)) as StoredOrderRow
    const goods = await settleGoods(trx, tables, order, await readGoods(trx, tables, orderId), now)
    if (goods.events.length > 0) await appendOutboxEvents(trx, dialect, tables, goods.events)
  }
  return paymentResult(trx, tables, payment)
}
