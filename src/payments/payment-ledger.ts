import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { InvalidTransitionError, NotFoundError } from '../errors.js'
import { lockOrder, type OrderRef } from '../orders/order-lock.js'
import {
  type DbBigInt,
  EVENT_COLUMNS,
  type OrderEventRow,
  type OrderRow,
  type StoredOrderRow,
} from '../orders/order-row.js'
import { canTransition, type OrderStatus } from '../orders/order-status.js'
import { appendOutboxEvents, type OutboxEventDraft } from '../outbox/outbox-writer.js'
import type { Tables } from '../schema/tables.js'
import type { Dialect } from '../sql/dialect.js'
import { insertRows } from '../sql/multi-row-insert.js'
import { execute, queryRows } from '../sql/statements.js'
import { type DbDate, fromDbInt } from '../sql/values.js'
import type { Payment, PaymentTransaction, PaymentTransactionType, RefundLine } from './payment.js'
import {
  type PaymentRow,
  type PaymentTransactionRow,
  REFUND_LINE_COLUMNS,
  type RefundLineRow,
  sumsOf,
  TRANSACTION_COLUMNS,
  toPayment,
  toPaymentTransaction,
  toRefundLine,
} from './payment-row.js'
import {
  type JoinedLedgerColumns,
  selectPayments,
  updateOrderMoney,
  updatePaymentSums as updateSums,
} from './payment-statements.js'
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

/**
 * An order under its row lock, with every one of its payments as committed before this write, and the
 * ledger of the payment the write is about (empty for a new payment).
 */
export interface LockedOrder {
  readonly order: StoredOrderRow
  readonly payments: readonly PaymentRow[]
  readonly ledger: readonly PaymentTransaction[]
}

/**
 * Takes the order's row lock, then reads its payments, with the ledger of `ledgerOf` joined to its row:
 * every payment write on the order runs after the others, so what is left to capture or refund is
 * computed from current rows, and the ledger read here is the one the write appends to.
 *
 * @param order - The order's id, or its payment (see {@link lockOrder}).
 */
export async function lockOrderPayments(
  trx: Knex.Transaction,
  { dialect, tables }: LedgerContext,
  order: string | OrderRef,
  ledgerOf?: string,
): Promise<LockedOrder> {
  const row = await lockOrder(trx, dialect, tables, order)
  if (ledgerOf === undefined) {
    const payments = await queryRows<PaymentRow>(trx, selectPayments(trx, tables, row.id))
    return { order: row, payments, ledger: [] }
  }
  const rows = await queryRows<PaymentRow & JoinedLedgerColumns>(
    trx,
    selectPayments(trx, tables, row.id, ledgerOf),
  )
  const payments: PaymentRow[] = []
  const ledgerRows: LedgerReadRow[] = []
  for (const joined of rows) {
    const {
      ledger_id,
      ledger_type,
      ledger_amount,
      ledger_reference,
      ledger_note,
      ledger_actor,
      ledger_created_at,
      line_id,
      line_quantity,
      line_amount,
      ...payment
    } = joined
    if (payments.at(-1)?.id !== payment.id) payments.push(payment)
    if (ledger_id === null) continue
    ledgerRows.push({
      id: ledger_id,
      payment_id: payment.id,
      type: ledger_type as string,
      amount: ledger_amount as DbBigInt,
      reference: ledger_reference,
      note: ledger_note,
      actor: ledger_actor,
      created_at: ledger_created_at as DbDate,
      line_id,
      line_quantity,
      line_amount,
    })
  }
  const ledgers = gatherLedgers(ledgerRows, [ledgerOf])
  return { order: row, payments, ledger: ledgers.get(ledgerOf) ?? [] }
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
  const count = await execute(
    trx,
    updateSums(trx, tables, {
      id: before.id,
      version,
      captured: change.captured ?? 0,
      refunded: change.refunded ?? 0,
      voided: change.voided ?? 0,
      status,
      at: now,
    }),
  )
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

/** A ledger row this write inserted, with the refund lines inserted for it. */
export interface WrittenTransaction {
  readonly row: PaymentTransactionRow
  readonly lines?: readonly RefundLineRow[] | undefined
}

/** What a payment write did, for the order's update, the outbox and the answer. */
export interface LedgerWrite {
  readonly locked: LockedOrder
  /** The written payment row. */
  readonly payment: PaymentRow
  /** The ledger rows written, in the order they were inserted; each becomes one outbox event. */
  readonly transactions: readonly WrittenTransaction[]
  /** Recorded on the order's status_changed event, when money moves the status. */
  readonly note: string | null
  readonly actor: string | null
  readonly now: DbDate
}

/** What {@link settleMoney} wrote on the order. */
export interface SettledMoney {
  /** The order's row as written. */
  readonly order: StoredOrderRow
  /** The outbox events of the write, the order's counter already advanced by as many. */
  readonly events: OutboxEventDraft[]
}

/**
 * The tail every payment write shares, once its payment row is written: the order follows its ledger
 * ({@link settleMoney}), then `follow` may bring the order's goods in line (its order update advancing
 * the outbox counter by the events it returns), then the new ledger rows (`write.transactions`, with
 * their refund lines) and the outbox events are inserted, last.
 *
 * @returns The payment as written, with its whole ledger: the one read under the lock and the rows
 * written since, in the ledger's order.
 */
export async function settleAndReturn(
  trx: Knex.Transaction,
  ctx: LedgerContext,
  write: LedgerWrite,
  follow?: (order: StoredOrderRow) => Promise<readonly OutboxEventDraft[]>,
): Promise<Payment> {
  const settled = await settleMoney(trx, ctx, write)
  const events = follow ? [...settled.events, ...(await follow(settled.order))] : settled.events
  // The ledger rows go in with the events: on PostgreSQL in the same statement.
  await appendOutboxEvents(trx, ctx.dialect, ctx.tables, events, 'bumped', [
    {
      table: ctx.tables.paymentTransactions,
      columns: TRANSACTION_COLUMNS,
      rows: write.transactions.map(({ row }) => row),
    },
    {
      table: ctx.tables.refundLines,
      columns: REFUND_LINE_COLUMNS,
      rows: write.transactions.flatMap(({ lines = [] }) => lines),
    },
  ])
  const written = write.transactions.map(({ row, lines = [] }) =>
    toPaymentTransaction(row, [...lines].sort(byId).map(toRefundLine)),
  )
  return toPayment(write.payment, [...write.locked.ledger, ...written].sort(inLedgerOrder))
}

/** The order the ledger is read in (created_at, id), and refund lines (id). */
function inLedgerOrder(a: PaymentTransaction, b: PaymentTransaction): number {
  return a.at.getTime() - b.at.getTime() || byId(a, b)
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/**
 * Brings the order in step with its ledger: its sums and payment status, derived in one place
 * ({@link orderMoney}), and the status money decides (capture to the total: `pending → paid`; refunds up
 * to the captures: `paid | shipped | delivered → refunded`) with its `status_changed` event; the same
 * UPDATE advances the order's outbox counter by the events returned, to be appended with `'bumped'`.
 */
export async function settleMoney(
  trx: Knex.Transaction,
  ctx: LedgerContext,
  write: LedgerWrite,
): Promise<SettledMoney> {
  const { tables } = ctx
  const { order } = write.locked
  const { payment } = write
  const known = write.locked.payments.some((p) => p.id === payment.id)
  const payments = known
    ? write.locked.payments.map((p) => (p.id === payment.id ? payment : p))
    : [...write.locked.payments, payment]
  const money = orderMoney(fromDbInt(order.total), payments.map(sumsOf))
  const from = order.status as OrderStatus
  let to: OrderStatus = from
  if (money.capturedTotal >= fromDbInt(order.total) && money.capturedTotal > 0 && from === 'pending')
    to = 'paid'
  if (money.paymentStatus === 'refunded' && canTransition(from, 'refunded')) to = 'refunded'
  const moved = to !== from
  const version = fromDbInt(order.version) + (moved ? 1 : 0)
  const events = write.transactions.map(({ row }) =>
    paymentEvent(EVENT_OF[row.type as PaymentTransactionType], payment, row),
  )
  if (moved) {
    events.push({
      type: 'order.status_changed',
      aggregateType: 'order',
      aggregateId: order.id,
      payload: { orderId: order.id, from, to, paymentStatus: money.paymentStatus },
    })
  }
  await execute(
    trx,
    updateOrderMoney(trx, tables, {
      id: order.id,
      capturedTotal: money.capturedTotal,
      refundedTotal: money.refundedTotal,
      paymentStatus: money.paymentStatus,
      at: write.now,
      move: moved ? { status: to, version } : undefined,
      events: events.length,
    }),
  )
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
    await insertRows(trx, tables.orderEvents, EVENT_COLUMNS, [event])
  }
  return {
    order: {
      ...order,
      captured_total: money.capturedTotal,
      refunded_total: money.refundedTotal,
      payment_status: money.paymentStatus,
      status: to,
      version,
      outbox_sequence: fromDbInt(order.outbox_sequence) + events.length,
      updated_at: write.now,
    },
    events,
  }
}

type PaymentEventType = 'payment.authorized' | 'payment.captured' | 'payment.refunded' | 'payment.voided'

/** The outbox event of each kind of ledger row. */
const EVENT_OF: Record<PaymentTransactionType, PaymentEventType> = {
  authorization: 'payment.authorized',
  capture: 'payment.captured',
  refund: 'payment.refunded',
  void: 'payment.voided',
}

/** A thin outbox event about a payment: ids, amounts, currency and statuses only. */
export function paymentEvent(
  type: PaymentEventType,
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
 * `db`: the read of `list`, of `get` and of the customer export.
 */
export async function readLedgers(
  db: Knex,
  tables: Tables,
  paymentIds: readonly string[],
): Promise<Map<string, PaymentTransaction[]>> {
  if (paymentIds.length === 0) return new Map()
  const rows = await queryRows<LedgerReadRow>(
    db,
    db(`${tables.paymentTransactions} as t`)
      .leftJoin(`${tables.refundLines} as r`, 'r.transaction_id', 't.id')
      .select('t.*', 'r.line_id as line_id', 'r.quantity as line_quantity', 'r.amount as line_amount')
      .whereIn('t.payment_id', [...paymentIds])
      .orderBy([
        { column: 't.created_at', order: 'asc' },
        { column: 't.id', order: 'asc' },
        { column: 'r.id', order: 'asc' },
      ]),
  )
  return gatherLedgers(rows, paymentIds)
}

/** The ledgers of `paymentIds` from ledger rows in ledger order, one row per refund line. */
function gatherLedgers(
  rows: readonly LedgerReadRow[],
  paymentIds: readonly string[],
): Map<string, PaymentTransaction[]> {
  const byPayment = new Map<string, PaymentTransaction[]>(paymentIds.map((id) => [id, []]))
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
