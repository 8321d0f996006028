import type { Knex } from 'knex'
import { InvalidTransitionError } from '../errors.js'
import type { OrderRef } from '../orders/order-lock.js'
import { toDbDate } from '../sql/values.js'
import type { Payment } from './payment.js'
import {
  type LedgerContext,
  ledgerRow,
  lockOrderPayments,
  paymentOf,
  settleAndReturn,
  updatePaymentSums,
} from './payment-ledger.js'
import { sumsOf } from './payment-row.js'
import type { ParsedVoidInput } from './payment-schema.js'
import type { PaymentStatus } from './payment-status.js'
import { capturable } from './payment-status.js'

/**
 * Releases the uncaptured rest of the payment, in `trx` under its order's lock. Allowed on a cancelled
 * or refunded order: releasing a hold is what cancelling needs.
 *
 * @throws `INVALID_TRANSITION` (already voided, or fully captured)
 */
export async function voidPayment(
  trx: Knex.Transaction,
  ctx: LedgerContext,
  order: string | OrderRef,
  paymentId: string,
  input: ParsedVoidInput,
): Promise<Payment> {
  const { tables, dialect } = ctx
  const locked = await lockOrderPayments(trx, ctx, order, paymentId)
  const before = paymentOf(locked, paymentId)
  const sums = sumsOf(before)
  const left = capturable(sums)
  if (sums.voided > 0 || left === 0)
    throw new InvalidTransitionError(paymentId, before.status as PaymentStatus, 'voided', 'payment')

  const now = toDbDate(dialect, new Date())
  const payment = await updatePaymentSums(trx, tables, before, { voided: left }, now)
  const row = ledgerRow(paymentId, 'void', left, input, now)
  return settleAndReturn(trx, ctx, {
    locked,
    payment,
    transactions: [{ row }],
    note: input.note ?? null,
    actor: input.actor ?? null,
    now,
  })
}
