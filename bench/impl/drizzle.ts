import type Database from 'better-sqlite3'
import { and, asc, desc, eq, inArray, type Logger, sql } from 'drizzle-orm'
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import type mysql from 'mysql2/promise'
import type pg from 'pg'
import { uuidv7 } from 'uuidv7'
import type { BenchDatabase } from '../databases.js'
import type { StatementCounter } from '../harness.js'
import type { BenchOrderInput, Implementation } from '../workload.js'
import { lineSharesOf, ORDER_NUMBER_COUNTER, totalsOf } from '../workload.js'
import { mysqlFulfilAndShip, pgFulfilAndShip, sqliteFulfilAndShip } from './drizzle-fulfillment.js'
import { mysqlCaptureAndRefund, pgCaptureAndRefund, sqliteCaptureAndRefund } from './drizzle-payments.js'
import { mysqlSchema, pgSchema, sqliteSchema } from './drizzle-schema.js'

/*
 * (d) Drizzle ORM, written as its documentation shows: table definitions per dialect (sqlite-core with
 * better-sqlite3, pg-core with node-postgres, mysql-core with mysql2), relational queries
 * db.query.orders.findFirst / findMany({ with: { lines } }) for W2 and W3, a transaction for W1, W4 and
 * W5, two for W7 (drizzle-payments.ts) and W8 (drizzle-fulfillment.ts). On better-sqlite3 Drizzle's transactions are synchronous, as its docs say. On MariaDB the
 * relational queries fail in both modes (see mysqlDrizzle), so W2 and W3 use two core selects there.
 * Statements are counted by Drizzle's logger.
 */

const LABEL = '(d) Drizzle'

function values(input: BenchOrderInput, id: string, number: number, at: Date) {
  const { subtotal, total } = totalsOf(input)
  return {
    order: {
      id,
      number,
      customerId: input.customerId,
      email: input.email,
      emailNormalized: input.email.toLowerCase(),
      status: 'pending',
      currency: input.currency,
      subtotal,
      shippingTotal: input.shippingTotal,
      taxTotal: input.taxTotal,
      discountTotal: input.discountTotal,
      total,
      shippingAddress: input.shippingAddress,
      billingAddress: input.billingAddress,
      payment: input.payment,
      note: null,
      metadata: null,
      version: 1,
      createdAt: at,
      updatedAt: at,
    },
    lines: input.items.map((item, position) => ({
      id: uuidv7(),
      orderId: id,
      position,
      sku: item.sku,
      name: item.name,
      attributes: item.attributes,
      quantity: item.quantity,
      unitPrice: item.unitPrice,
      total: item.quantity * item.unitPrice,
      taxTotal: lineSharesOf(input)[position]?.taxTotal ?? 0,
      discountTotal: lineSharesOf(input)[position]?.discountTotal ?? 0,
      productId: null,
      variantId: null,
      metadata: null,
    })),
    event: placedEvent(id, at),
  }
}

function placedEvent(orderId: string, at: Date, from: string | null = null, to = 'pending') {
  return {
    id: uuidv7(),
    orderId,
    type: from === null ? 'order_placed' : 'status_changed',
    fromStatus: from,
    toStatus: to,
    note: null,
    actor: null,
    createdAt: at,
  }
}

/** All the rows of an import batch, numbered from `first`. */
function batchValues(batch: readonly BenchOrderInput[], first: number) {
  const at = new Date()
  const rows = batch.map((input, i) => values(input, uuidv7(), first + i, at))
  return {
    orders: rows.map((r) => r.order),
    lines: rows.flatMap((r) => r.lines),
    events: rows.map((r) => r.event),
  }
}

const IMPORT_BATCH = 500

function counting(counter: StatementCounter): Logger {
  return { logQuery: (query) => counter.record(query) }
}

function summarise(orders: ReadonlyArray<{ lines: readonly unknown[] }>): [number, number] {
  return [orders.length, orders.reduce((sum, o) => sum + o.lines.length, 0)]
}

/** Creates the Drizzle implementation over the driver's own pool. */
export function createDrizzle(db: BenchDatabase, counter: StatementCounter): Implementation {
  const driver = db.driver
  if (driver.dialect === 'sqlite3') return sqliteDrizzle(driver.sqlite, counter)
  if (driver.dialect === 'postgresql') return pgDrizzle(driver.pool, counter)
  return mysqlDrizzle(driver.pool, counter)
}

function sqliteDrizzle(client: Database.Database, counter: StatementCounter): Implementation {
  const db = drizzleSqlite(client, { schema: sqliteSchema, logger: counting(counter) })
  const s = sqliteSchema
  type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0]
  const bump = (tx: Tx, count: number): number => {
    const row = tx
      .update(s.counters)
      .set({ value: sql`${s.counters.value} + ${count}` })
      .where(eq(s.counters.name, ORDER_NUMBER_COUNTER))
      .returning({ value: s.counters.value })
      .get()
    return Number(row?.value)
  }

  return {
    key: 'drizzle',
    label: LABEL,
    async createOrder(input) {
      const id = uuidv7()
      // better-sqlite3 transactions are synchronous: Drizzle's BEGIN and COMMIT do not reach the logger.
      db.transaction((tx) => {
        const rows = values(input, id, bump(tx, 1), new Date())
        tx.insert(s.orders).values(rows.order).run()
        tx.insert(s.orderLines).values(rows.lines).run()
        tx.insert(s.orderEvents).values(rows.event).run()
      })
      counter.recordControl(2)
      return id
    },
    async getOrder(id) {
      const order = await db.query.orders.findFirst({
        where: eq(s.orders.id, id),
        with: { lines: { orderBy: [asc(s.orderLines.position)] } },
      })
      if (!order) throw new Error(`order ${id} not found`)
      return order.lines.length
    },
    async listCustomerOrders(customerId, limit) {
      const orders = await db.query.orders.findMany({
        where: eq(s.orders.customerId, customerId),
        orderBy: [desc(s.orders.createdAt), desc(s.orders.id)],
        limit,
        with: { lines: { orderBy: [asc(s.orderLines.position)] } },
      })
      return summarise(orders)
    },
    async markPaid(id) {
      const at = new Date()
      db.transaction((tx) => {
        const order = tx
          .select({ status: s.orders.status, version: s.orders.version })
          .from(s.orders)
          .where(eq(s.orders.id, id))
          .get()
        if (order?.status !== 'pending') throw new Error(`order ${id} is not pending`)
        const result = tx
          .update(s.orders)
          .set({ status: 'paid', version: order.version + 1, updatedAt: at })
          .where(
            and(eq(s.orders.id, id), eq(s.orders.version, order.version), eq(s.orders.status, 'pending')),
          )
          .run()
        if (result.changes !== 1) throw new Error(`order ${id} changed meanwhile`)
        tx.insert(s.orderEvents)
          .values(placedEvent(id, at, 'pending', 'paid'))
          .run()
      })
      counter.recordControl(2)
    },
    async fulfilAndShip(orderId) {
      sqliteFulfilAndShip(db, s, orderId)
      counter.recordControl(4)
    },
    async captureAndRefund(order) {
      sqliteCaptureAndRefund(db, s, order)
      counter.recordControl(4)
    },
    async importOrders(inputs) {
      for (let start = 0; start < inputs.length; start += IMPORT_BATCH) {
        const batch = inputs.slice(start, start + IMPORT_BATCH)
        db.transaction((tx) => {
          const rows = batchValues(batch, bump(tx, batch.length) - batch.length + 1)
          tx.insert(s.orders).values(rows.orders).run()
          tx.insert(s.orderLines).values(rows.lines).run()
          tx.insert(s.orderEvents).values(rows.events).run()
        })
        counter.recordControl(2)
      }
    },
  }
}

function pgDrizzle(pool: pg.Pool, counter: StatementCounter): Implementation {
  const db = drizzlePg(pool, { schema: pgSchema, logger: counting(counter) })
  const s = pgSchema
  type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0]
  const bump = async (tx: Tx, count: number): Promise<number> => {
    const [row] = await tx
      .update(s.counters)
      .set({ value: sql`${s.counters.value} + ${count}` })
      .where(eq(s.counters.name, ORDER_NUMBER_COUNTER))
      .returning({ value: s.counters.value })
    return Number(row?.value)
  }

  return {
    key: 'drizzle',
    label: LABEL,
    async createOrder(input) {
      const id = uuidv7()
      await db.transaction(async (tx) => {
        const rows = values(input, id, await bump(tx, 1), new Date())
        await tx.insert(s.orders).values(rows.order)
        await tx.insert(s.orderLines).values(rows.lines)
        await tx.insert(s.orderEvents).values(rows.event)
      })
      return id
    },
    async getOrder(id) {
      const order = await db.query.orders.findFirst({
        where: eq(s.orders.id, id),
        with: { lines: { orderBy: [asc(s.orderLines.position)] } },
      })
      if (!order) throw new Error(`order ${id} not found`)
      return order.lines.length
    },
    async listCustomerOrders(customerId, limit) {
      const orders = await db.query.orders.findMany({
        where: eq(s.orders.customerId, customerId),
        orderBy: [desc(s.orders.createdAt), desc(s.orders.id)],
        limit,
        with: { lines: { orderBy: [asc(s.orderLines.position)] } },
      })
      return summarise(orders)
    },
    async markPaid(id) {
      const at = new Date()
      await db.transaction(async (tx) => {
        const [order] = await tx
          .select({ status: s.orders.status, version: s.orders.version })
          .from(s.orders)
          .where(eq(s.orders.id, id))
        if (order?.status !== 'pending') throw new Error(`order ${id} is not pending`)
        const result = await tx
          .update(s.orders)
          .set({ status: 'paid', version: order.version + 1, updatedAt: at })
          .where(
            and(eq(s.orders.id, id), eq(s.orders.version, order.version), eq(s.orders.status, 'pending')),
          )
        if (result.rowCount !== 1) throw new Error(`order ${id} changed meanwhile`)
        await tx.insert(s.orderEvents).values(placedEvent(id, at, 'pending', 'paid'))
      })
    },
    async fulfilAndShip(orderId) {
      await pgFulfilAndShip(db, s, orderId)
    },
    async captureAndRefund(order) {
      await pgCaptureAndRefund(db, s, order)
    },
    async importOrders(inputs) {
      for (let start = 0; start < inputs.length; start += IMPORT_BATCH) {
        const batch = inputs.slice(start, start + IMPORT_BATCH)
        await db.transaction(async (tx) => {
          const rows = batchValues(batch, (await bump(tx, batch.length)) - batch.length + 1)
          await tx.insert(s.orders).values(rows.orders)
          await tx.insert(s.orderLines).values(rows.lines)
          await tx.insert(s.orderEvents).values(rows.events)
        })
      }
    },
  }
}

function mysqlDrizzle(pool: mysql.Pool, counter: StatementCounter): Implementation {
  const db = drizzleMysql(pool, { schema: mysqlSchema, mode: 'default', logger: counting(counter) })
  const s = mysqlSchema
  type Tx = Parameters<Parameters<typeof db.transaction>[0]>[0]
  const bump = async (tx: Tx, count: number): Promise<number> => {
    // No RETURNING on MySQL: LAST_INSERT_ID(expr) hands the new value back as the result's insertId.
    const [result] = await tx
      .update(s.counters)
      .set({ value: sql`last_insert_id(${s.counters.value} + ${count})` })
      .where(eq(s.counters.name, ORDER_NUMBER_COUNTER))
    return Number(result.insertId)
  }

  return {
    key: 'drizzle',
    label: LABEL,
    async createOrder(input) {
      const id = uuidv7()
      await db.transaction(async (tx) => {
        const rows = values(input, id, await bump(tx, 1), new Date())
        await tx.insert(s.orders).values(rows.order)
        await tx.insert(s.orderLines).values(rows.lines)
        await tx.insert(s.orderEvents).values(rows.event)
      })
      return id
    },
    // MariaDB runs neither form of Drizzle's relational queries: the default mode joins LATERAL, which
    // MariaDB lacks, and mode 'planetscale' correlates a derived table with the outer row ("Unknown
    // column 'orders.id'"). So here, as Drizzle's docs show for joins, the core select API: two selects.
    async getOrder(id) {
      const [order] = await db.select().from(s.orders).where(eq(s.orders.id, id))
      if (!order) throw new Error(`order ${id} not found`)
      const lines = await db
        .select()
        .from(s.orderLines)
        .where(eq(s.orderLines.orderId, id))
        .orderBy(asc(s.orderLines.position))
      return lines.length
    },
    async listCustomerOrders(customerId, limit) {
      const orders = await db
        .select()
        .from(s.orders)
        .where(eq(s.orders.customerId, customerId))
        .orderBy(desc(s.orders.createdAt), desc(s.orders.id))
        .limit(limit)
      const lines =
        orders.length === 0
          ? []
          : await db
              .select()
              .from(s.orderLines)
              .where(
                inArray(
                  s.orderLines.orderId,
                  orders.map((o) => o.id),
                ),
              )
              .orderBy(asc(s.orderLines.orderId), asc(s.orderLines.position))
      const byOrder = new Map<string, (typeof lines)[number][]>()
      for (const line of lines) byOrder.set(line.orderId, [...(byOrder.get(line.orderId) ?? []), line])
      return summarise(orders.map((order) => ({ ...order, lines: byOrder.get(order.id) ?? [] })))
    },
    async markPaid(id) {
      const at = new Date()
      await db.transaction(async (tx) => {
        const [order] = await tx
          .select({ status: s.orders.status, version: s.orders.version })
          .from(s.orders)
          .where(eq(s.orders.id, id))
        if (order?.status !== 'pending') throw new Error(`order ${id} is not pending`)
        const [result] = await tx
          .update(s.orders)
          .set({ status: 'paid', version: order.version + 1, updatedAt: at })
          .where(
            and(eq(s.orders.id, id), eq(s.orders.version, order.version), eq(s.orders.status, 'pending')),
          )
        if (result.affectedRows !== 1) throw new Error(`order ${id} changed meanwhile`)
        await tx.insert(s.orderEvents).values(placedEvent(id, at, 'pending', 'paid'))
      })
    },
    async fulfilAndShip(orderId) {
      await mysqlFulfilAndShip(db, s, orderId)
    },
    async captureAndRefund(order) {
      await mysqlCaptureAndRefund(db, s, order)
    },
    async importOrders(inputs) {
      for (let start = 0; start < inputs.length; start += IMPORT_BATCH) {
        const batch = inputs.slice(start, start + IMPORT_BATCH)
        await db.transaction(async (tx) => {
          const rows = batchValues(batch, (await bump(tx, batch.length)) - batch.length + 1)
          await tx.insert(s.orders).values(rows.orders)
          await tx.insert(s.orderLines).values(rows.lines)
          await tx.insert(s.orderEvents).values(rows.events)
        })
      }
    },
  }
}
