import { and, eq, sql } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import type { MySql2Database } from 'drizzle-orm/mysql2'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import { uuidv7 } from 'uuidv7'
import type { PaymentFixture } from '../workload.js'
import { lineRefundAmount, W7 } from '../workload.js'
import type { mysqlSchema, pgSchema, sqliteSchema } from './drizzle-schema.js'
import { type OrderMoneyAfter, orderMoneyAfter, paymentStatusOf } from './money.js'

/*
 * (d) W7 in Drizzle, as its docs show: db.transaction per step (synchronous on better-sqlite3), core
 * selects with an inner join and .for('update') on the servers (SQLite has no row locks, and Drizzle's
 * sqlite-core no .for()), updates with sql`` increments and bounds. The same statements as the Knex
 * floor (impl/knex-payments.ts): the order is locked and read with its payment (and, to refund, the
 * line) in one join; four statements to capture, six to refund by line.
 */

/** The order and its payment (and the refunded line), as the lock's join reads them. */
interface Locked {
  status: string
  version: number
  total: number
  capturedTotal: number
  refundedTotal: number
  fulfillmentStatus: string
  amount: number
  captured: number
  refunded: number
  voided: number
}

interface LockedLine {
  quantity: number
  lineTotal: number
  taxTotal: number
  discountTotal: number
  refundedQuantity: number
}

type Schema = typeof sqliteSchema | typeof pgSchema | typeof mysqlSchema

/** The columns of the lock's join: the order's and its payment's. */
function lockedColumns<S extends Schema>(s: S) {
  return {
    status: s.orders.status as S['orders']['status'],
    version: s.orders.version as S['orders']['version'],
    total: s.orders.total as S['orders']['total'],
    capturedTotal: s.orders.capturedTotal as S['orders']['capturedTotal'],
    refundedTotal: s.orders.refundedTotal as S['orders']['refundedTotal'],
    fulfillmentStatus: s.orders.fulfillmentStatus as S['orders']['fulfillmentStatus'],
    amount: s.payments.amount as S['payments']['amount'],
    captured: s.payments.capturedAmount as S['payments']['capturedAmount'],
    refunded: s.payments.refundedAmount as S['payments']['refundedAmount'],
    voided: s.payments.voidedAmount as S['payments']['voidedAmount'],
  }
}

/** The refunded line's columns, joined to the lock to refund. */
function lineColumns<S extends Schema>(s: S) {
  return {
    quantity: s.orderLines.quantity as S['orderLines']['quantity'],
    lineTotal: s.orderLines.total as S['orderLines']['total'],
    taxTotal: s.orderLines.taxTotal as S['orderLines']['taxTotal'],
    discountTotal: s.orderLines.discountTotal as S['orderLines']['discountTotal'],
    refundedQuantity: s.orderLines.refundedQuantity as S['orderLines']['refundedQuantity'],
  }
}

/** What the capture writes, decided from the locked row. */
function capturePlan(row: Locked) {
  return {
    paymentStatus: paymentStatusOf({ ...row, captured: row.captured + W7.capture }),
    order: orderMoneyAfter(row, { captured: W7.capture }),
  }
}

/** What the refund writes, decided from the locked row; refuses an order with parcels (see the floor). */
function refundPlan(row: Locked & LockedLine, orderId: string) {
  if (row.fulfillmentStatus !== 'unfulfilled') throw new Error(`order ${orderId} has parcels`)
  const amount = lineRefundAmount(
    {
      quantity: row.quantity,
      total: row.lineTotal,
      taxTotal: row.taxTotal,
      discountTotal: row.discountTotal,
      refundedQuantity: row.refundedQuantity,
    },
    W7.refundUnits,
  )
  return {
    amount,
    paymentStatus: paymentStatusOf({ ...row, refunded: row.refunded + amount }),
    order: orderMoneyAfter(row, { refunded: amount }),
  }
}

const ledgerRow = (paymentId: string, type: string, amount: number, at: Date) => ({
  id: uuidv7(),
  paymentId,
  type,
  amount,
  reference: null,
  note: null,
  actor: null,
  createdAt: at,
})

/** The order's columns a capture or refund writes, with its status and version when money moved it. */
const orderChange = (row: Locked, after: OrderMoneyAfter, at: Date) => ({
  capturedTotal: after.capturedTotal,
  refundedTotal: after.refundedTotal,
  paymentStatus: after.paymentStatus,
  updatedAt: at,
  ...(after.status !== row.status ? { status: after.status, version: row.version + 1 } : {}),
})

const statusEvent = (orderId: string, from: string, to: string, at: Date) => ({
  id: uuidv7(),
  orderId,
  type: 'status_changed',
  fromStatus: from,
  toStatus: to,
  note: null,
  actor: null,
  createdAt: at,
})

const refused = (f: PaymentFixture, what: string) => new Error(`payment ${f.paymentId}: ${what} refused`)

/** W7 on better-sqlite3: two synchronous transactions, whose BEGIN and COMMIT the logger misses. */
export function sqliteCaptureAndRefund(
  db: BetterSQLite3Database<typeof sqliteSchema>,
  s: typeof sqliteSchema,
  f: PaymentFixture,
): void {
  db.transaction((tx) => {
    const row = tx
      .select(lockedColumns(s))
      .from(s.orders)
      .innerJoin(s.payments, eq(s.payments.orderId, s.orders.id))
      .where(and(eq(s.orders.id, f.orderId), eq(s.payments.id, f.paymentId)))
      .get()
    if (!row) throw refused(f, 'capture')
    const plan = capturePlan(row)
    const at = new Date()
    const captured = tx
      .update(s.payments)
      .set({
        capturedAmount: sql`${s.payments.capturedAmount} + ${W7.capture}`,
        status: plan.paymentStatus,
        version: sql`${s.payments.version} + 1`,
        updatedAt: at,
      })
      .where(
        and(
          eq(s.payments.id, f.paymentId),
          sql`${s.payments.capturedAmount} + ${W7.capture} + ${s.payments.voidedAmount} <= ${s.payments.amount}`,
        ),
      )
      .run()
    if (captured.changes !== 1) throw refused(f, 'capture')
    tx.insert(s.paymentTransactions)
      .values(ledgerRow(f.paymentId, 'capture', W7.capture, at))
      .run()
    tx.update(s.orders)
      .set(orderChange(row, plan.order, at))
      .where(eq(s.orders.id, f.orderId))
      .run()
    if (plan.order.status !== row.status) {
      tx.insert(s.orderEvents)
        .values(statusEvent(f.orderId, row.status, plan.order.status, at))
        .run()
    }
  })

  db.transaction((tx) => {
    const row = tx
      .select({ ...lockedColumns(s), ...lineColumns(s) })
      .from(s.orders)
      .innerJoin(s.payments, eq(s.payments.orderId, s.orders.id))
      .innerJoin(s.orderLines, eq(s.orderLines.orderId, s.orders.id))
      .where(and(eq(s.orders.id, f.orderId), eq(s.payments.id, f.paymentId), eq(s.orderLines.id, f.lineId)))
      .get()
    if (!row) throw refused(f, 'refund')
    const plan = refundPlan(row, f.orderId)
    const at = new Date()
    const units = tx
      .update(s.orderLines)
      .set({ refundedQuantity: sql`${s.orderLines.refundedQuantity} + ${W7.refundUnits}` })
      .where(
        and(
          eq(s.orderLines.id, f.lineId),
          sql`${s.orderLines.refundedQuantity} + ${W7.refundUnits} <= ${s.orderLines.quantity}`,
        ),
      )
      .run()
    const money = tx
      .update(s.payments)
      .set({
        refundedAmount: sql`${s.payments.refundedAmount} + ${plan.amount}`,
        status: plan.paymentStatus,
        version: sql`${s.payments.version} + 1`,
        updatedAt: at,
      })
      .where(
        and(
          eq(s.payments.id, f.paymentId),
          sql`${s.payments.refundedAmount} + ${plan.amount} <= ${s.payments.capturedAmount}`,
        ),
      )
      .run()
    if (units.changes !== 1 || money.changes !== 1) throw refused(f, 'refund')
    const ledger = ledgerRow(f.paymentId, 'refund', plan.amount, at)
    tx.insert(s.paymentTransactions).values(ledger).run()
    tx.insert(s.refundLines)
      .values({
        id: uuidv7(),
        transactionId: ledger.id,
        lineId: f.lineId,
        quantity: W7.refundUnits,
        amount: plan.amount,
      })
      .run()
    tx.update(s.orders)
      .set(orderChange(row, plan.order, at))
      .where(eq(s.orders.id, f.orderId))
      .run()
    if (plan.order.status !== row.status) {
      tx.insert(s.orderEvents)
        .values(statusEvent(f.orderId, row.status, plan.order.status, at))
        .run()
    }
  })
}

/** W7 on node-postgres. */
export async function pgCaptureAndRefund(
  db: NodePgDatabase<typeof pgSchema>,
  s: typeof pgSchema,
  f: PaymentFixture,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select(lockedColumns(s))
      .from(s.orders)
      .innerJoin(s.payments, eq(s.payments.orderId, s.orders.id))
      .where(and(eq(s.orders.id, f.orderId), eq(s.payments.id, f.paymentId)))
      .for('update')
    if (!row) throw refused(f, 'capture')
    const plan = capturePlan(row)
    const at = new Date()
    const captured = await tx
      .update(s.payments)
      .set({
        capturedAmount: sql`${s.payments.capturedAmount} + ${W7.capture}`,
        status: plan.paymentStatus,
        version: sql`${s.payments.version} + 1`,
        updatedAt: at,
      })
      .where(
        and(
          eq(s.payments.id, f.paymentId),
          sql`${s.payments.capturedAmount} + ${W7.capture} + ${s.payments.voidedAmount} <= ${s.payments.amount}`,
        ),
      )
    if (captured.rowCount !== 1) throw refused(f, 'capture')
    await tx.insert(s.paymentTransactions).values(ledgerRow(f.paymentId, 'capture', W7.capture, at))
    await tx
      .update(s.orders)
      .set(orderChange(row, plan.order, at))
      .where(eq(s.orders.id, f.orderId))
    if (plan.order.status !== row.status) {
      await tx.insert(s.orderEvents).values(statusEvent(f.orderId, row.status, plan.order.status, at))
    }
  })

  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ ...lockedColumns(s), ...lineColumns(s) })
      .from(s.orders)
      .innerJoin(s.payments, eq(s.payments.orderId, s.orders.id))
      .innerJoin(s.orderLines, eq(s.orderLines.orderId, s.orders.id))
      .where(and(eq(s.orders.id, f.orderId), eq(s.payments.id, f.paymentId), eq(s.orderLines.id, f.lineId)))
      .for('update')
    if (!row) throw refused(f, 'refund')
    const plan = refundPlan(row, f.orderId)
    const at = new Date()
    const units = await tx
      .update(s.orderLines)
      .set({ refundedQuantity: sql`${s.orderLines.refundedQuantity} + ${W7.refundUnits}` })
      .where(
        and(
          eq(s.orderLines.id, f.lineId),
          sql`${s.orderLines.refundedQuantity} + ${W7.refundUnits} <= ${s.orderLines.quantity}`,
        ),
      )
    const money = await tx
      .update(s.payments)
      .set({
        refundedAmount: sql`${s.payments.refundedAmount} + ${plan.amount}`,
        status: plan.paymentStatus,
        version: sql`${s.payments.version} + 1`,
        updatedAt: at,
      })
      .where(
        and(
          eq(s.payments.id, f.paymentId),
          sql`${s.payments.refundedAmount} + ${plan.amount} <= ${s.payments.capturedAmount}`,
        ),
      )
    if (units.rowCount !== 1 || money.rowCount !== 1) throw refused(f, 'refund')
    const ledger = ledgerRow(f.paymentId, 'refund', plan.amount, at)
    await tx.insert(s.paymentTransactions).values(ledger)
    await tx.insert(s.refundLines).values({
      id: uuidv7(),
      transactionId: ledger.id,
      lineId: f.lineId,
      quantity: W7.refundUnits,
      amount: plan.amount,
    })
    await tx
      .update(s.orders)
      .set(orderChange(row, plan.order, at))
      .where(eq(s.orders.id, f.orderId))
    if (plan.order.status !== row.status) {
      await tx.insert(s.orderEvents).values(statusEvent(f.orderId, row.status, plan.order.status, at))
    }
  })
}

/** W7 on mysql2. */
export async function mysqlCaptureAndRefund(
  db: MySql2Database<typeof mysqlSchema>,
  s: typeof mysqlSchema,
  f: PaymentFixture,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select(lockedColumns(s))
      .from(s.orders)
      .innerJoin(s.payments, eq(s.payments.orderId, s.orders.id))
      .where(and(eq(s.orders.id, f.orderId), eq(s.payments.id, f.paymentId)))
      .for('update')
    if (!row) throw refused(f, 'capture')
    const plan = capturePlan(row)
    const at = new Date()
    const [captured] = await tx
      .update(s.payments)
      .set({
        capturedAmount: sql`${s.payments.capturedAmount} + ${W7.capture}`,
        status: plan.paymentStatus,
        version: sql`${s.payments.version} + 1`,
        updatedAt: at,
      })
      .where(
        and(
          eq(s.payments.id, f.paymentId),
          sql`${s.payments.capturedAmount} + ${W7.capture} + ${s.payments.voidedAmount} <= ${s.payments.amount}`,
        ),
      )
    if (captured.affectedRows !== 1) throw refused(f, 'capture')
    await tx.insert(s.paymentTransactions).values(ledgerRow(f.paymentId, 'capture', W7.capture, at))
    await tx
      .update(s.orders)
      .set(orderChange(row, plan.order, at))
      .where(eq(s.orders.id, f.orderId))
    if (plan.order.status !== row.status) {
      await tx.insert(s.orderEvents).values(statusEvent(f.orderId, row.status, plan.order.status, at))
    }
  })

  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ ...lockedColumns(s), ...lineColumns(s) })
      .from(s.orders)
      .innerJoin(s.payments, eq(s.payments.orderId, s.orders.id))
      .innerJoin(s.orderLines, eq(s.orderLines.orderId, s.orders.id))
      .where(and(eq(s.orders.id, f.orderId), eq(s.payments.id, f.paymentId), eq(s.orderLines.id, f.lineId)))
      .for('update')
    if (!row) throw refused(f, 'refund')
    const plan = refundPlan(row, f.orderId)
    const at = new Date()
    const [units] = await tx
      .update(s.orderLines)
      .set({ refundedQuantity: sql`${s.orderLines.refundedQuantity} + ${W7.refundUnits}` })
      .where(
        and(
          eq(s.orderLines.id, f.lineId),
          sql`${s.orderLines.refundedQuantity} + ${W7.refundUnits} <= ${s.orderLines.quantity}`,
        ),
      )
    const [money] = await tx
      .update(s.payments)
      .set({
        refundedAmount: sql`${s.payments.refundedAmount} + ${plan.amount}`,
        status: plan.paymentStatus,
        version: sql`${s.payments.version} + 1`,
        updatedAt: at,
      })
      .where(
        and(
          eq(s.payments.id, f.paymentId),
          sql`${s.payments.refundedAmount} + ${plan.amount} <= ${s.payments.capturedAmount}`,
        ),
      )
    if (units.affectedRows !== 1 || money.affectedRows !== 1) throw refused(f, 'refund')
    const ledger = ledgerRow(f.paymentId, 'refund', plan.amount, at)
    await tx.insert(s.paymentTransactions).values(ledger)
    await tx.insert(s.refundLines).values({
      id: uuidv7(),
      transactionId: ledger.id,
      lineId: f.lineId,
      quantity: W7.refundUnits,
      amount: plan.amount,
    })
    await tx
      .update(s.orders)
      .set(orderChange(row, plan.order, at))
      .where(eq(s.orders.id, f.orderId))
    if (plan.order.status !== row.status) {
      await tx.insert(s.orderEvents).values(statusEvent(f.orderId, row.status, plan.order.status, at))
    }
  })
}
