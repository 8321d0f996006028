import { and, asc, eq, sql } from 'drizzle-orm'
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import type { MySql2Database } from 'drizzle-orm/mysql2'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import { uuidv7 } from 'uuidv7'
import { PARCEL } from '../workload.js'
import type { mysqlSchema, pgSchema, sqliteSchema } from './drizzle-schema.js'

/*
 * (d) W8 in Drizzle, as its docs show: the same two transactions and statements as the Knex floor
 * (impl/knex-fulfillment.ts), with db.transaction (synchronous on better-sqlite3), core selects locked
 * with .for('update') on the servers, updates with sql`` expressions and one multi-row insert for the
 * parcel's lines. Pack: six statements; ship: four.
 */

type Schema = typeof sqliteSchema | typeof pgSchema | typeof mysqlSchema

/** Units of each line not yet refunded nor in a parcel, the order's lines in position order. */
function leftColumns<S extends Schema>(s: S) {
  const l = s.orderLines
  return {
    id: l.id as S['orderLines']['id'],
    left: sql<number>`${l.quantity} - ${l.refundedQuantity} - ${l.fulfilledQuantity}`.mapWith(Number),
  }
}

/** The parcel and its lines, as packed. */
function parcelRows(orderId: string, id: string, lines: ReadonlyArray<{ id: string; left: number }>) {
  const taken = lines.filter((line) => line.left > 0)
  if (taken.length === 0) throw new Error(`order ${orderId} has nothing left to fulfil`)
  const at = new Date()
  return {
    at,
    parcel: {
      id,
      orderId,
      status: 'pending',
      carrier: null,
      trackingNumber: null,
      trackingUrl: null,
      metadata: null,
      version: 1,
      shippedAt: null,
      deliveredAt: null,
      cancelledAt: null,
      createdAt: at,
      updatedAt: at,
    },
    lines: taken.map((line, position) => ({
      fulfillmentId: id,
      orderLineId: line.id,
      orderId,
      position,
      quantity: line.left,
    })),
  }
}

const shipped = (at: Date) => ({
  status: 'shipped',
  shippedAt: at,
  carrier: PARCEL.carrier,
  trackingNumber: PARCEL.trackingNumber,
  version: 2,
  updatedAt: at,
})

const shippedEvent = (orderId: string, from: string, at: Date) => ({
  id: uuidv7(),
  orderId,
  type: 'status_changed',
  fromStatus: from,
  toStatus: 'shipped',
  note: null,
  actor: null,
  createdAt: at,
})

function assertPaid(order: { status: string } | undefined, orderId: string): asserts order {
  if (order?.status !== 'paid') throw new Error(`order ${orderId} is not paid`)
}

/** W8 on better-sqlite3: two synchronous transactions, whose BEGIN and COMMIT the logger misses. */
export function sqliteFulfilAndShip(
  db: BetterSQLite3Database<typeof sqliteSchema>,
  s: typeof sqliteSchema,
  orderId: string,
): void {
  const id = uuidv7()
  db.transaction((tx) => {
    const order = tx
      .select({ status: s.orders.status, version: s.orders.version })
      .from(s.orders)
      .where(eq(s.orders.id, orderId))
      .get()
    assertPaid(order, orderId)
    const lines = tx
      .select(leftColumns(s))
      .from(s.orderLines)
      .where(eq(s.orderLines.orderId, orderId))
      .orderBy(asc(s.orderLines.position))
      .all()
    const rows = parcelRows(orderId, id, lines)
    tx.update(s.orderLines)
      .set({ fulfilledQuantity: sql`${s.orderLines.quantity} - ${s.orderLines.refundedQuantity}` })
      .where(eq(s.orderLines.orderId, orderId))
      .run()
    tx.insert(s.fulfillments).values(rows.parcel).run()
    tx.insert(s.fulfillmentLines).values(rows.lines).run()
    tx.update(s.orders)
      .set({ fulfillmentStatus: 'fulfilled', updatedAt: rows.at })
      .where(eq(s.orders.id, orderId))
      .run()
  })

  db.transaction((tx) => {
    const order = tx
      .select({ status: s.orders.status, version: s.orders.version })
      .from(s.orders)
      .where(eq(s.orders.id, orderId))
      .get()
    if (!order) throw new Error(`order ${orderId} not found`)
    const at = new Date()
    const moved = tx
      .update(s.fulfillments)
      .set(shipped(at))
      .where(and(eq(s.fulfillments.id, id), eq(s.fulfillments.status, 'pending')))
      .run()
    if (moved.changes !== 1) throw new Error(`parcel ${id} is not pending`)
    tx.update(s.orders)
      .set({ status: 'shipped', version: order.version + 1, updatedAt: at })
      .where(eq(s.orders.id, orderId))
      .run()
    tx.insert(s.orderEvents)
      .values(shippedEvent(orderId, order.status, at))
      .run()
  })
}

/** W8 on node-postgres. */
export async function pgFulfilAndShip(
  db: NodePgDatabase<typeof pgSchema>,
  s: typeof pgSchema,
  orderId: string,
): Promise<void> {
  const id = uuidv7()
  await db.transaction(async (tx) => {
    const [order] = await tx
      .select({ status: s.orders.status, version: s.orders.version })
      .from(s.orders)
      .where(eq(s.orders.id, orderId))
      .for('update')
    assertPaid(order, orderId)
    const lines = await tx
      .select(leftColumns(s))
      .from(s.orderLines)
      .where(eq(s.orderLines.orderId, orderId))
      .orderBy(asc(s.orderLines.position))
    const rows = parcelRows(orderId, id, lines)
    await tx
      .update(s.orderLines)
      .set({ fulfilledQuantity: sql`${s.orderLines.quantity} - ${s.orderLines.refundedQuantity}` })
      .where(eq(s.orderLines.orderId, orderId))
    await tx.insert(s.fulfillments).values(rows.parcel)
    await tx.insert(s.fulfillmentLines).values(rows.lines)
    await tx
      .update(s.orders)
      .set({ fulfillmentStatus: 'fulfilled', updatedAt: rows.at })
      .where(eq(s.orders.id, orderId))
  })

  await db.transaction(async (tx) => {
    const [order] = await tx
      .select({ status: s.orders.status, version: s.orders.version })
      .from(s.orders)
      .where(eq(s.orders.id, orderId))
      .for('update')
    if (!order) throw new Error(`order ${orderId} not found`)
    const at = new Date()
    const moved = await tx
      .update(s.fulfillments)
      .set(shipped(at))
      .where(and(eq(s.fulfillments.id, id), eq(s.fulfillments.status, 'pending')))
    if (moved.rowCount !== 1) throw new Error(`parcel ${id} is not pending`)
    await tx
      .update(s.orders)
      .set({ status: 'shipped', version: order.version + 1, updatedAt: at })
      .where(eq(s.orders.id, orderId))
    await tx.insert(s.orderEvents).values(shippedEvent(orderId, order.status, at))
  })
}

/** W8 on mysql2. */
export async function mysqlFulfilAndShip(
  db: MySql2Database<typeof mysqlSchema>,
  s: typeof mysqlSchema,
  orderId: string,
): Promise<void> {
  const id = uuidv7()
  await db.transaction(async (tx) => {
    const [order] = await tx
      .select({ status: s.orders.status, version: s.orders.version })
      .from(s.orders)
      .where(eq(s.orders.id, orderId))
      .for('update')
    assertPaid(order, orderId)
    const lines = await tx
      .select(leftColumns(s))
      .from(s.orderLines)
      .where(eq(s.orderLines.orderId, orderId))
      .orderBy(asc(s.orderLines.position))
    const rows = parcelRows(orderId, id, lines)
    await tx
      .update(s.orderLines)
      .set({ fulfilledQuantity: sql`${s.orderLines.quantity} - ${s.orderLines.refundedQuantity}` })
      .where(eq(s.orderLines.orderId, orderId))
    await tx.insert(s.fulfillments).values(rows.parcel)
    await tx.insert(s.fulfillmentLines).values(rows.lines)
    await tx
      .update(s.orders)
      .set({ fulfillmentStatus: 'fulfilled', updatedAt: rows.at })
      .where(eq(s.orders.id, orderId))
  })

  await db.transaction(async (tx) => {
    const [order] = await tx
      .select({ status: s.orders.status, version: s.orders.version })
      .from(s.orders)
      .where(eq(s.orders.id, orderId))
      .for('update')
    if (!order) throw new Error(`order ${orderId} not found`)
    const at = new Date()
    const [moved] = await tx
      .update(s.fulfillments)
      .set(shipped(at))
      .where(and(eq(s.fulfillments.id, id), eq(s.fulfillments.status, 'pending')))
    if (moved.affectedRows !== 1) throw new Error(`parcel ${id} is not pending`)
    await tx
      .update(s.orders)
      .set({ status: 'shipped', version: order.version + 1, updatedAt: at })
      .where(eq(s.orders.id, orderId))
    await tx.insert(s.orderEvents).values(shippedEvent(orderId, order.status, at))
  })
}
