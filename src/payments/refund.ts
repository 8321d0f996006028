import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { BalanceExceededError, ValidationError } from '../errors.js'
import type { LineGoods } from '../fulfillments/fulfillment-status.js'
import { readGoods, settleGoods } from '../fulfillments/order-goods.js'
import type { OrderRef } from '../orders/order-lock.js'
import { execute } from '../sql/statements.js'
import { toDbDate } from '../sql/values.js'
import { refundableTotal, unitsRefundAmount } from './allocation.js'
import type { Payment } from './payment.js'
import type { KeyGuard } from './payment-keys.js'
import {
  type LedgerContext,
  ledgerRow,
  lockOrderPayments,
  paymentOf,
  settleAndReturn,
  updatePaymentSums,
} from './payment-ledger.js'
import { type RefundLineRow, sumsOf } from './payment-row.js'
import type { ParsedRefundInput } from './payment-schema.js'
import { refundUnits } from './payment-statements.js'

/**
 * Refunds captured money of the payment, in `trx` under its order's lock (`order`: its id, or the
 * payment's own; see {@link lockOrder}): `input.amount`, or the amount of `input.items` computed from the
 * lines' stored shares ({@link unitsRefundAmount}), raising each line's refunded units.
 *
 * @throws `VALIDATION_FAILED` (a line of another order), `BALANCE_EXCEEDED` (more units than are left
 * on a line, or more money than was captured and not refunded)
 */
export async function refundPayment(
  trx: Knex.Transaction,
  ctx: LedgerContext,
  order: string | OrderRef,
  paymentId: string,
  input: ParsedRefundInput,
  guard: KeyGuard,
): Promise<Payment> {
  const { tables, dialect } = ctx
  const locked = await lockOrderPayments(trx, ctx, order, paymentId)
  const orderId = locked.order.id
  await guard.check(trx)
  const before = paymentOf(locked, paymentId)
  const items = input.items ?? []
  const refundLines: Array<{ lineId: string; quantity: number; amount: number }> = []
  // Read under the order's lock: refunded units are current, and no other refund of the order runs now.
  // Every line of the order with its money and its goods, which follow the refund below.
  const goods = items.length > 0 ? await readGoods(trx, tables, orderId, true) : []
  if (items.length > 0) {
    const byId = new Map(goods.map((line) => [line.lineId, line]))
    items.forEach((item, i) => {
      const line = byId.get(item.lineId)
      if (!line) {
        throw new ValidationError([{ path: `items.${i}.lineId`, message: 'is not a line of this order' }])
      }
      if (item.quantity > line.quantity - line.refunded) {
        throw new BalanceExceededError(item.quantity, line.quantity - line.refunded, 'units')
      }
      const refundable = refundableTotal(line.money)
      const amount = unitsRefundAmount(refundable, line.quantity, line.refunded, item.quantity)
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
    const count = await execute(trx, refundUnits(trx, tables, orderId, line.lineId, line.quantity))
    if (count !== 1) throw new BalanceExceededError(line.quantity, 0, 'units')
  }
  const row = ledgerRow(paymentId, 'refund', amount, { ...input, note: input.reason }, now)
  const lines: RefundLineRow[] = refundLines.map((line) => ({
    id: uuidv7(),
    transaction_id: row.id,
    line_id: line.lineId,
    quantity: line.quantity,
    amount: line.amount,
  }))
  // Before the order's update and the outbox events, which come last.
  await guard.record(trx, paymentId, now)
  // Units refunded by line leave the order's goods: its fulfillment status, and its status when every
  // unit left has shipped, follow as after a fulfillment write, from the order as the money left it and
  // the lines as this refund left them (each update above matched its line, under the order's lock).
  const refunded = new Map(refundLines.map((line) => [line.lineId, line.quantity]))
  const after = goods.map(
    (line): LineGoods => ({ ...line, refunded: line.refunded + (refunded.get(line.lineId) ?? 0) }),
  )
  const followGoods = async (settled: Parameters<typeof settleGoods>[2]) =>
    (await settleGoods(trx, tables, settled, after, now)).events
  return settleAndReturn(
    trx,
    ctx,
    {
      locked,
      payment,
      transactions: [{ row, lines }],
      note: input.reason ?? null,
      actor: input.actor ?? null,
      now,
    },
    refundLines.length > 0 ? followGoods : undefined,
  )
}
