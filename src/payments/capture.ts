import type { Knex } from 'knex'
import { BalanceExceededError, InvalidTransitionError } from '../errors.js'
import type { OrderRef } from '../orders/order-lock.js'
import { toDbDate } from '../sql/values.js'
import type { Payment } from './payment.js'
import type { KeyGuard } from './payment-keys.js'
import {
  assertOrderTakesPayments,
  type LedgerContext,
  ledgerRow,
  lockOrderPayments,
  paymentOf,
  settleAndReturn,
  updatePaymentSums,
} from './payment-ledger.js'
import { sumsOf } from './payment-row.js'
import type { ParsedCaptureInput } from './payment-schema.js'
import type { PaymentStatus } from './payment-status.js'
import { capturable } from './payment-status.js'

/**
 * Captures `input.amount` (or all that is left) of the payment, in `trx` under its order's lock (`order`:
 * its id, or the payment's own; see {@link lockOrder}).
 *
 * @throws `INVALID_TRANSITION` (voided, nothing left without an amount, cancelled or refunded order),
 * `BALANCE_EXCEEDED` (more than is left)
 */
export async function capturePayment(
  trx: Knex.Transaction,
  ctx: LedgerContext,
  order: string | OrderRef,
  paymentId: string,
  input: ParsedCaptureInput,
  guard: KeyGuard,
): Promise<Payment> {
  const { tables, dialect } = ctx
  const locked = await lockOrderPayments(trx, ctx, order, paymentId)
  await guard.check(trx)
  const before = paymentOf(locked, paymentId)
  assertOrderTakesPayments(locked.order, 'captured')
  const sums = sumsOf(before)
  if (sums.voided > 0)
    throw new InvalidTransitionError(paymentId, before.status as PaymentStatus, 'captured', 'payment')
  const left = capturable(sums)
  const amount = input.amount ?? left
  if (amount === 0)
    throw new InvalidTransitionError(paymentId, before.status as PaymentStatus, 'captured', 'payment')
  if (amount > left) throw new BalanceExceededError(amount, left)

  const now = toDbDate(dialect, new Date())
  const payment = await updatePaymentSums(trx, tables, before, { captured: amount }, now)
  const row = ledgerRow(paymentId, 'capture', amount, input, now)
  // Before the order's update and the outbox events, which come last.
  await guard.record(trx, paymentId, now)
  return settleAndReturn(trx, ctx, {
    locked,
    payment,
    transactions: [{ row }],
    note: input.note ?? null,
    actor: input.actor ?? null,
    now,
  })
}
