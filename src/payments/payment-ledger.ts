import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { InvalidTransitionError, NotFoundError } from '../errors.js'
import { lockOrder } from '../orders/order-lock.js'
import type { DbBigInt, OrderEventRow, OrderRow } from '../orders/order-row.js'
import { canTransition, type OrderStatus } from '../orders/order-status.js'
import { appendOutboxEvents, type OutboxEventDraft } from '../outbox/outbox-writer.js'
import type { Tables } from '../schema/tables.js'
import type { Dialect } from '../sql/dialect.js'
import { type DbDate, fromDbInt } from '../sql/values.js'
import type { Payment, PaymentTransaction, RefundLine } from './payment.js'
import {
  type PaymentRow,
  type PaymentTransactionRow,
  sumsOf,
  toPayment,
  toPaymentTransaction,
  toRefundLine,
} from './payment-row.js'
import type { PaymentStatus } from './payment-status.js'
import { orderMoney, type PaymentSums, paymentStatus } from './payment-status.js'

/*
 * The one road every payment write takes, after validation: lock the order → conditional updates →
 * ledger rows → the order's sums and status (+ its status_changed event) → outbox events → the result,
 * built from what was written.
 */

/** Where a write runs. */
export interface LedgerContext {
  readonly dialect: Dialect
  readonly tables: Tables
}

/** An order under its row lock, with every one of its payments as committed before this write. */
export interface LockedOrder {
  readonly order: OrderRow
  readonly payments: readonly PaymentRow[]
}

/**
 * Takes the order's row lock, then reads its payments: every payment write on the order runs after the
 * others, so what is left to capture or refund is computed from current rows.
 */
export async function lockOrderPayments(
  trx: Knex.Transaction,
  { dialect, tables }: LedgerContext,
  orderId: string,
): Promise<LockedOrder> {
  const order = await lockOrder(trx, dialect, tables, orderId)
  const payments = (await trx<PaymentRow>(tables.payments)
    .where({ order_id: orderId })
    .orderBy([
      { column: 'created_at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])) as PaymentRow[]
  return { order, payments }
}

/** The payment's row among the locked order's, or `NOT_FOUND`. */
export function paymentOf(locked: LockedOrder, paymentId: string): PaymentRow {
  const row = locked.payments.find((p) => p.id === paymentId)
  if (!row) throw new NotFoundError('payment', paymentId)
  return row
}

/** Money moves in only while the order is open: authorize and capture on a cancelled or refunded order fail. */
export function assertOrderTakesPayments(order: OrderRow, operation: PaymentStatus): void {
  const status = order.status as OrderStatus
  if (status === 'cancelled' || status === 'refunded') {
    throw new InvalidTransitionError(order.id, status, operation)
  }
}

/** A change to one payment's sums, as increments. */
export interface SumsChange {
  readonly captured?: number
  readonly refunded?: number
  readonly voided?: number
}

/**
 * Applies `change` to the payment with one UPDATE, conditional on the version read under the lock and on
 * the sums staying within their bounds: the row lock already serialises writers, the condition and the
 * table's CHECK constraints make an overdraft impossible even for a writer that skipped the lock.
 *
 * @returns The row as written.
 */
export async function updatePaymentSums(
  trx: Knex.Transaction,
  tables: Tables,
  before: PaymentRow,
  change: SumsChange,
  now: DbDate,
): Promise<PaymentRow> {
  const old = sumsOf(before)
  const sums: PaymentSums = {
    amount: old.amount,
    captured: old.captured + (change.captured ?? 0),
    refunded: old.refunded + (change.refunded ?? 0),
    voided: old.voided + (change.voided ?? 0),
  }
  const version = fromDbInt(before.version)
  const status = paymentStatus(sums)
  const count = await trx(tables.payments)
    .where({ id: before.id, version })
    .whereRaw('?? + ? + ?? + ? <= ??', [
      'captured_amount',
      change.captured ?? 0,
      'voided_amount',
      change.voided ?? 0,
      'amount',
    ])
    .whereRaw('?? + ? <= ?? + ?', [
      'refunded_amount',
      change.refunded ?? 0,
      'captured_amount',
      change.captured ?? 0,
    ])
    .update({
      captured_amount: trx.raw('?? + ?', ['captured_amount', change.captured ?? 0]),
      refunded_amount: trx.raw('?? + ?', ['refunded_amount', change.refunded ?? 0]),
      voided_amount: trx.raw('?? + ?', ['voided_amount', change.voided ?? 0]),
      status,
      version: version + 1,
      updated_at: now,
    })
  // Under the order's lock the row cannot have moved since it was read; if it did, a writer bypassed the
  // lock, and the whole transaction must not go on from a stale read.
  if (count !== 1) throw new Error('payment changed outside the order lock; the write was rolled back')
  return {
    ...before,
    captured_amount: sums.captured,
    refunded_amount: sums.refunded,
    voided_amount: sums.voided,
    status,
    version: version + 1,
    updated_at: now,
  }
}

/** A ledger row about to be written. */
export function ledgerRow(
  paymentId: string,
  type: PaymentTransaction['type'],
  amount: number,
  fields: {
    reference?: string | null | undefined
    note?: string | null | undefined
    actor?: string | null | undefined
  },
  now: DbDate,
): PaymentTransactionRow {
  return {
    id: uuidv7(),
    payment_id: paymentId,
    type,
    amount,
    reference: fields.reference ?? null,
    note: fields.note ?? null,
    actor: fields.actor ?? null,
    created_at: now,
  }
}

/** What a payment write did, for the order's update and the outbox. */
export interface LedgerWrite {
  readonly locked: LockedOrder
  /** The written payment row. */
  readonly payment: PaymentRow
  /** The payment's rows as written (the other payments of the order as they were). */
  readonly payments: readonly PaymentRow[]
  /** The outbox events of the payment operation, before the order's own. */
  readonly events: readonly OutboxEventDraft[]
  /** Recorded on the order's status_changed event, when money moves the status. */
  readonly note: string | null
  readonly actor: string | null
  readonly now: DbDate
}

/**
 * Brings the order in step with its ledger: its sums and payment status, derived in one place
 * ({@link orderMoney}), and the status money decides (capture to the total: `pending → paid`; refunds up
 * to the captures: `paid | shipped | delivered → refunded`) with its `status_changed` event; then appends
 * the outbox events, last.
 */
export async function settleMoney(
  trx: Knex.Transaction,
  ctx: LedgerContext,
  write: LedgerWrite,
): Promise<void> {
  const { tables } = ctx
  const { order } = write.locked
  const money = orderMoney(fromDbInt(order.total), write.payments.map(sumsOf))
  const from = order.status as OrderStatus
  let to: OrderStatus = from
  if (money.capturedTotal >= fromDbInt(order.total) && money.capturedTotal > 0 && from === 'pending')
    to = 'paid'
  if (money.paymentStatus === 'refunded' && canTransition(from, 'refunded')) to = 'refunded'
  const moved = to !== from
  const version = fromDbInt(order.version)
  await trx(tables.orders)
    .where({ id: order.id })
    .update({
      captured_total: money.capturedTotal,
      refunded_total: money.refundedTotal,
      payment_status: money.paymentStatus,
      updated_at: write.now,
      ...(moved ? { status: to, version: version + 1 } : {}),
    })
  const events = [...write.events]
  if (moved) {
    const event: OrderEventRow = {
      id: uuidv7(),
      order_id: order.id,
      type: 'status_changed',
      from_status: from,
      to_status: to,
      note: write.note,
      actor: write.actor,
      created_at: write.now,
    }
    await trx(tables.orderEvents).insert(event)
    events.push({
      type: 'order.status_changed',
      aggregateType: 'order',
      aggregateId: order.id,
      payload: { orderId: order.id, from, to, paymentStatus: money.paymentStatus },
    })
  }
  await appendOutboxEvents(trx, ctx.dialect, tables, events)
}

/** A thin outbox event about a payment: ids, amounts, currency and statuses only. */
export function paymentEvent(
  type: 'payment.authorized' | 'payment.captured' | 'payment.refunded' | 'payment.voided',
  payment: PaymentRow,
  transaction: PaymentTransactionRow,
): OutboxEventDraft {
  return {
    type,
    aggregateType: 'order',
    aggregateId: payment.order_id,
    payload: {
      orderId: payment.order_id,
      paymentId: payment.id,
      transactionId: transaction.id,
      amount: fromDbInt(transaction.amount),
      currency: payment.currency,
      status: payment.status,
    },
  }
}

/** A ledger row with its refund lines, as one joined read returns it. */
type LedgerReadRow = PaymentTransactionRow & {
  line_id: string | null
  line_quantity: number | null
  line_amount: DbBigInt | null
}

/**
 * The ledgers of `paymentIds`, each oldest first with its refund lines, in one statement (a left join), on
 * `db`: the read of `list` and of every write's result.
 */
export async function readLedgers(
  db: Knex,
  tables: Tables,
  paymentIds: readonly string[],
): Promise<Map<string, PaymentTransaction[]>> {
  const byPayment = new Map<string, PaymentTransaction[]>(paymentIds.map((id) => [id, []]))
  if (paymentIds.length === 0) return byPayment
  const rows = (await db(`${tables.paymentTransactions} as t`)
    .leftJoin(`${tables.refundLines} as r`, 'r.transaction_id', 't.id')
    .select('t.*', 'r.line_id as line_id', 'r.quantity as line_quantity', 'r.amount as line_amount')
    .whereIn('t.payment_id', [...paymentIds])
    .orderBy([
      { column: 't.created_at', order: 'asc' },
      { column: 't.id', order: 'asc' },
      { column: 'r.id', order: 'asc' },
    ])) as LedgerReadRow[]
  const items = new Map<string, RefundLine[]>()
  for (const row of rows) {
    let lines = items.get(row.id)
    if (!lines) {
      lines = []
      items.set(row.id, lines)
      byPayment.get(row.payment_id)?.push(toPaymentTransaction(row, lines))
    }
    if (row.line_id !== null) {
      lines.push(
        toRefundLine({
          line_id: row.line_id,
          quantity: row.line_quantity as number,
          amount: row.line_amount as DbBigInt,
        }),
      )
    }
  }
  // toPaymentTransaction copied the (then empty) list: attach the lines gathered since.
  for (const ledger of byPayment.values()) for (const t of ledger) t.items = items.get(t.id) ?? []
  return byPayment
}

/** The payment as written, with its whole ledger read back in the write's transaction. */
export async function paymentResult(
  trx: Knex.Transaction,
  tables: Tables,
  row: PaymentRow,
): Promise<Payment> {
  const ledgers = await readLedgers(trx, tables, [row.id])
  return toPayment(row, ledgers.get(row.id) ?? [])
}
