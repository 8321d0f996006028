import type { z } from 'zod'
import { NotFoundError } from '../errors.js'
import { locksThroughChild, type OrderRef } from '../orders/order-lock.js'
import { queryFirst, queryRows } from '../sql/statements.js'
import type { StoreContext } from '../store-context.js'
import { idSchema } from '../text.js'
import { parseInput, parseSchema, readInput } from '../validation.js'
import { authorizePayment } from './authorize.js'
import { capturePayment } from './capture.js'
import type { Payment, PaymentRepository } from './payment.js'
import { keyedCall, runKeyed } from './payment-keys.js'
import { readLedgers } from './payment-ledger.js'
import { type PaymentRow, toPayment } from './payment-row.js'
import {
  authorizeInputSchema,
  captureInputSchema,
  paymentOptionsSchema,
  refundInputSchema,
  voidInputSchema,
} from './payment-schema.js'
import { selectOrderIdOfPayment, selectPayment, selectPayments } from './payment-statements.js'
import { refundPayment } from './refund.js'
import { voidPayment } from './void.js'

/**
 * Creates the payment repository over a store context: reads on `ctx.db`, every write in one `ctx.write`
 * (a transaction, or a savepoint when the store is bound to one).
 *
 * @param ctx - The executor, dialect and table names of the store.
 * @returns The {@link PaymentRepository}.
 */
export function createPaymentRepository(ctx: StoreContext): PaymentRepository {
  const { tables } = ctx

  /** The payment with its ledger: two statements. */
  const readPayment = async (id: string): Promise<Payment> => {
    const row = await queryFirst<PaymentRow>(ctx.db, selectPayment(ctx.db, tables, id))
    if (!row) throw new NotFoundError('payment', id)
    const ledgers = await readLedgers(ctx.db, tables, [id])
    return toPayment(row, ledgers.get(id) ?? [])
  }

  /**
   * The order a payment write locks. Where the locking statement can find it through the payment, the
   * payment itself (no statement). Elsewhere (MySQL/MariaDB) its id, read before the write's transaction:
   * it never changes, and reading it first lets the transaction start with the order's lock (a snapshot
   * taken before the lock would hide what the previous lock holder committed).
   */
  const orderOf = async (paymentId: string): Promise<string | OrderRef> => {
    if (locksThroughChild(ctx.dialect)) return { by: 'payment', id: paymentId }
    const row = await queryFirst<Pick<PaymentRow, 'order_id'>>(
      ctx.db,
      selectOrderIdOfPayment(ctx.db, tables, paymentId),
    )
    if (!row) throw new NotFoundError('payment', paymentId)
    return row.order_id
  }

  return {
    // Each call searches all of its arguments for card data before any schema runs, so no error about
    // one argument can come out of a call that carried card data in another.
    async authorize(orderId, input, options) {
      const { id, parsed, idempotencyKey } = gate(orderId, 'orderId', authorizeInputSchema, input, options)
      const call = keyedCall(`authorize:${id}`, idempotencyKey, parsed)
      return runKeyed(ctx, call, (trx, guard) => authorizePayment(trx, ctx, id, parsed, guard), readPayment)
    },

    async capture(paymentId, input, options) {
      const { id, parsed, idempotencyKey } = gate(
        paymentId,
        'paymentId',
        captureInputSchema,
        input ?? {},
        options,
      )
      const call = keyedCall(`capture:${id}`, idempotencyKey, parsed)
      const order = await orderOf(id)
      return runKeyed(
        ctx,
        call,
        (trx, guard) => capturePayment(trx, ctx, order, id, parsed, guard),
        readPayment,
      )
    },

    async refund(paymentId, input, options) {
      const { id, parsed, idempotencyKey } = gate(paymentId, 'paymentId', refundInputSchema, input, options)
      const call = keyedCall(`refund:${id}`, idempotencyKey, parsed)
      const order = await orderOf(id)
      return runKeyed(
        ctx,
        call,
        (trx, guard) => refundPayment(trx, ctx, order, id, parsed, guard),
        readPayment,
      )
    },

    async void(paymentId, input) {
      const { id, parsed } = gate(paymentId, 'paymentId', voidInputSchema, input ?? {}, undefined)
      const order = await orderOf(id)
      return ctx.write((trx) => voidPayment(trx, ctx, order, id, parsed))
    },

    async list(orderId) {
      const id = parseInput(idSchema, orderId, 'orderId')
      // A plain read: where the store routes reads (a replica, after this process's writes are there).
      const db = await ctx.reader()
      const rows = await queryRows<PaymentRow>(db, selectPayments(db, tables, id))
      const ledgers = await readLedgers(
        db,
        tables,
        rows.map((row) => row.id),
      )
      return rows.map((row) => toPayment(row, ledgers.get(row.id) ?? []))
    },
  }
}

/**
 * The validation gate of a payment call: card data over every argument first, then the id, the input and
 * the options against their schemas.
 */
function gate<S extends z.ZodType>(
  id: unknown,
  idPath: string,
  schema: S,
  input: unknown,
  options: unknown,
): { id: string; parsed: z.output<S>; idempotencyKey: string | undefined } {
  // Every argument's snapshot is searched for card data before any schema reads one of them.
  const snapshots = { id: readInput(id, idPath), input: readInput(input), options: readInput(options ?? {}) }
  return {
    id: parseSchema(idSchema, snapshots.id, idPath),
    parsed: parseSchema(schema, snapshots.input),
    idempotencyKey: parseSchema(paymentOptionsSchema, snapshots.options).idempotencyKey,
  }
}
