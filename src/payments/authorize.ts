import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { NotFoundError } from '../errors.js'
import { insertRows } from '../sql/multi-row-insert.js'
import { queryFirst } from '../sql/statements.js'
import { toDbDate } from '../sql/values.js'
import type { Payment } from './payment.js'
import type { KeyGuard } from './payment-keys.js'
import {
  assertOrderTakesPayments,
  type LedgerContext,
  ledgerRow,
  lockOrderPayments,
  settleAndReturn,
} from './payment-ledger.js'
import { PAYMENT_COLUMNS, type PaymentRow } from './payment-row.js'
import type { ParsedAuthorizeInput } from './payment-schema.js'
import { paymentStatus } from './payment-status.js'

/**
 * Records a new payment of the order: its authorization and, for a sale, its capture of the whole
 * amount, in `trx` under the order's lock.
 *
 * @throws `NOT_FOUND` (order, or a payment method that is not the order's customer's),
 * `INVALID_TRANSITION` (a cancelled or refunded order)
 */
export async function authorizePayment(
  trx: Knex.Transaction,
  ctx: LedgerContext,
  orderId: string,
  input: ParsedAuthorizeInput,
  guard: KeyGuard,
): Promise<Payment> {
  const { tables, dialect } = ctx
  const locked = await lockOrderPayments(trx, ctx, orderId)
  await guard.check(trx)
  const { order } = locked
  assertOrderTakesPayments(order, 'authorized')
  if (input.paymentMethodId != null) {
    // Only a method the order's customer saved: never another customer's, never one on a guest order.
    const method = order.customer_id
      ? await queryFirst(
          trx,
          trx(tables.paymentMethods)
            .select('id')
            .where({ id: input.paymentMethodId, customer_id: order.customer_id }),
        )
      : undefined
    if (!method) throw new NotFoundError('payment method', input.paymentMethodId)
  }

  const now = toDbDate(dialect, new Date())
  const captured = input.capture === true ? input.amount : 0
  const sums = { amount: input.amount, captured, refunded: 0, voided: 0 }
  const payment: PaymentRow = {
    id: uuidv7(),
    order_id: order.id,
    provider: input.provider,
    reference: input.reference,
    payment_method_id: input.paymentMethodId ?? null,
    currency: order.currency,
    amount: input.amount,
    captured_amount: captured,
    refunded_amount: 0,
    voided_amount: 0,
    status: paymentStatus(sums),
    capture_before: input.captureBefore ? toDbDate(dialect, input.captureBefore) : null,
    version: 1,
    created_at: now,
    updated_at: now,
  }
  await insertRows(trx, tables.payments, PAYMENT_COLUMNS, [payment])
  const authorization = ledgerRow(payment.id, 'authorization', input.amount, input, now)
  const rows = [authorization]
  if (captured > 0) rows.push(ledgerRow(payment.id, 'capture', captured, { actor: input.actor }, now))
  // Before the order's update and the outbox events, which come last.
  await guard.record(trx, payment.id, now)
  // A new payment: its ledger is the rows just written, so none is read back.
  return settleAndReturn(trx, ctx, {
    locked,
    payment,
    transactions: rows.map((row) => ({ row })),
    note: input.note ?? null,
    actor: input.actor ?? null,
    now,
  })
}
