import { relations } from 'drizzle-orm'
import {
  bigint as myBigint,
  customType as myCustomType,
  datetime as myDatetime,
  int as myInt,
  mysqlTable,
  text as myText,
  varchar as myVarchar,
} from 'drizzle-orm/mysql-core'
import {
  bigint,
  customType,
  integer as pgInteger,
  pgTable,
  text as pgText,
  timestamp,
  varchar,
} from 'drizzle-orm/pg-core'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { TABLES } from '../workload.js'

/*
 * Drizzle table definitions matching the tables the library's migration creates, one set per dialect,
 * with the relations its relational queries (db.query.orders.findFirst({ with: { lines: true } })) need.
 * JSON is kept as text by the library: SQLite's text({ mode: 'json' }) does that; on pg and MySQL a
 * custom type stringifies and parses it.
 */

const pgJsonText = customType<{ data: unknown; driverData: string }>({
  dataType: () => 'text',
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
})

const myJsonText = myCustomType<{ data: unknown; driverData: string }>({
  dataType: () => 'mediumtext',
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
})

// SQLite ------------------------------------------------------------------------------------------

const sqliteOrders = sqliteTable(TABLES.orders, {
  id: text('id').primaryKey(),
  number: integer('number').notNull(),
  customerId: text('customer_id'),
  email: text('email').notNull(),
  emailNormalized: text('email_normalized').notNull(),
  status: text('status').notNull(),
  currency: text('currency').notNull(),
  subtotal: integer('subtotal').notNull(),
  shippingTotal: integer('shipping_total').notNull(),
  taxTotal: integer('tax_total').notNull(),
  discountTotal: integer('discount_total').notNull(),
  total: integer('total').notNull(),
  shippingAddress: text('shipping_address', { mode: 'json' }),
  billingAddress: text('billing_address', { mode: 'json' }),
  payment: text('payment', { mode: 'json' }),
  note: text('note'),
  metadata: text('metadata', { mode: 'json' }),
  version: integer('version').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
})

const sqliteOrderLines = sqliteTable(TABLES.orderLines, {
  id: text('id').primaryKey(),
  orderId: text('order_id')
    .notNull()
    .references(() => sqliteOrders.id),
  position: integer('position').notNull(),
  sku: text('sku').notNull(),
  name: text('name').notNull(),
  attributes: text('attributes', { mode: 'json' }).notNull(),
  quantity: integer('quantity').notNull(),
  unitPrice: integer('unit_price').notNull(),
  total: integer('total').notNull(),
  taxTotal: integer('tax_total').notNull(),
  discountTotal: integer('discount_total').notNull(),
  productId: text('product_id'),
  variantId: text('variant_id'),
  metadata: text('metadata', { mode: 'json' }),
})

const sqliteOrderEvents = sqliteTable(TABLES.orderEvents, {
  id: text('id').primaryKey(),
  orderId: text('order_id')
    .notNull()
    .references(() => sqliteOrders.id),
  type: text('type').notNull(),
  fromStatus: text('from_status'),
  toStatus: text('to_status'),
  note: text('note'),
  actor: text('actor'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
})

const sqliteCounters = sqliteTable(TABLES.counters, {
  name: text('name').primaryKey(),
  value: integer('value').notNull(),
})

/** The SQLite schema for drizzle(…, { schema }). */
export const sqliteSchema = {
  orders: sqliteOrders,
  orderLines: sqliteOrderLines,
  orderEvents: sqliteOrderEvents,
  counters: sqliteCounters,
  ordersRelations: relations(sqliteOrders, ({ many }) => ({ lines: many(sqliteOrderLines) })),
  orderLinesRelations: relations(sqliteOrderLines, ({ one }) => ({
    order: one(sqliteOrders, { fields: [sqliteOrderLines.orderId], references: [sqliteOrders.id] }),
  })),
}

// PostgreSQL --------------------------------------------------------------------------------------

const pgDate = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' })

const pgOrders = pgTable(TABLES.orders, {
  id: varchar('id', { length: 36 }).primaryKey(),
  number: bigint('number', { mode: 'number' }).notNull(),
  customerId: varchar('customer_id', { length: 36 }),
  email: varchar('email', { length: 320 }).notNull(),
  emailNormalized: varchar('email_normalized', { length: 320 }).notNull(),
  status: varchar('status', { length: 16 }).notNull(),
  currency: varchar('currency', { length: 3 }).notNull(),
  subtotal: bigint('subtotal', { mode: 'number' }).notNull(),
  shippingTotal: bigint('shipping_total', { mode: 'number' }).notNull(),
  taxTotal: bigint('tax_total', { mode: 'number' }).notNull(),
  discountTotal: bigint('discount_total', { mode: 'number' }).notNull(),
  total: bigint('total', { mode: 'number' }).notNull(),
  shippingAddress: pgJsonText('shipping_address'),
  billingAddress: pgJsonText('billing_address'),
  payment: pgJsonText('payment'),
  note: pgText('note'),
  metadata: pgJsonText('metadata'),
  version: pgInteger('version').notNull(),
  createdAt: pgDate('created_at').notNull(),
  updatedAt: pgDate('updated_at').notNull(),
})

const pgOrderLines = pgTable(TABLES.orderLines, {
  id: varchar('id', { length: 36 }).primaryKey(),
  orderId: varchar('order_id', { length: 36 })
    .notNull()
    .references(() => pgOrders.id),
  position: pgInteger('position').notNull(),
  sku: varchar('sku', { length: 100 }).notNull(),
  name: varchar('name', { length: 200 }).notNull(),
  attributes: pgJsonText('attributes').notNull(),
  quantity: pgInteger('quantity').notNull(),
  unitPrice: bigint('unit_price', { mode: 'number' }).notNull(),
  total: bigint('total', { mode: 'number' }).notNull(),
  taxTotal: bigint('tax_total', { mode: 'number' }).notNull(),
  discountTotal: bigint('discount_total', { mode: 'number' }).notNull(),
  productId: varchar('product_id', { length: 100 }),
  variantId: varchar('variant_id', { length: 100 }),
  metadata: pgJsonText('metadata'),
})

const pgOrderEvents = pgTable(TABLES.orderEvents, {
  id: varchar('id', { length: 36 }).primaryKey(),
  orderId: varchar('order_id', { length: 36 })
    .notNull()
    .references(() => pgOrders.id),
  type: varchar('type', { length: 32 }).notNull(),
  fromStatus: varchar('from_status', { length: 16 }),
  toStatus: varchar('to_status', { length: 16 }),
  note: pgText('note'),
  actor: varchar('actor', { length: 200 }),
  createdAt: pgDate('created_at').notNull(),
})

const pgCounters = pgTable(TABLES.counters, {
  name: varchar('name', { length: 64 }).primaryKey(),
  value: bigint('value', { mode: 'number' }).notNull(),
})

/** The PostgreSQL schema for drizzle(…, { schema }). */
export const pgSchema = {
  orders: pgOrders,
  orderLines: pgOrderLines,
  orderEvents: pgOrderEvents,
  counters: pgCounters,
  ordersRelations: relations(pgOrders, ({ many }) => ({ lines: many(pgOrderLines) })),
  orderLinesRelations: relations(pgOrderLines, ({ one }) => ({
    order: one(pgOrders, { fields: [pgOrderLines.orderId], references: [pgOrders.id] }),
  })),
}

// MySQL / MariaDB ---------------------------------------------------------------------------------

const myDate = (name: string) => myDatetime(name, { fsp: 3, mode: 'date' })

const myOrders = mysqlTable(TABLES.orders, {
  id: myVarchar('id', { length: 36 }).primaryKey(),
  number: myBigint('number', { mode: 'number' }).notNull(),
  customerId: myVarchar('customer_id', { length: 36 }),
  email: myVarchar('email', { length: 320 }).notNull(),
  emailNormalized: myVarchar('email_normalized', { length: 320 }).notNull(),
  status: myVarchar('status', { length: 16 }).notNull(),
  currency: myVarchar('currency', { length: 3 }).notNull(),
  subtotal: myBigint('subtotal', { mode: 'number' }).notNull(),
  shippingTotal: myBigint('shipping_total', { mode: 'number' }).notNull(),
  taxTotal: myBigint('tax_total', { mode: 'number' }).notNull(),
  discountTotal: myBigint('discount_total', { mode: 'number' }).notNull(),
  total: myBigint('total', { mode: 'number' }).notNull(),
  shippingAddress: myJsonText('shipping_address'),
  billingAddress: myJsonText('billing_address'),
  payment: myJsonText('payment'),
  note: myText('note'),
  metadata: myJsonText('metadata'),
  version: myInt('version').notNull(),
  createdAt: myDate('created_at').notNull(),
  updatedAt: myDate('updated_at').notNull(),
})

const myOrderLines = mysqlTable(TABLES.orderLines, {
  id: myVarchar('id', { length: 36 }).primaryKey(),
  orderId: myVarchar('order_id', { length: 36 })
    .notNull()
    .references(() => myOrders.id),
  position: myInt('position').notNull(),
  sku: myVarchar('sku', { length: 100 }).notNull(),
  name: myVarchar('name', { length: 200 }).notNull(),
  attributes: myJsonText('attributes').notNull(),
  quantity: myInt('quantity').notNull(),
  unitPrice: myBigint('unit_price', { mode: 'number' }).notNull(),
  total: myBigint('total', { mode: 'number' }).notNull(),
  taxTotal: myBigint('tax_total', { mode: 'number' }).notNull(),
  discountTotal: myBigint('discount_total', { mode: 'number' }).notNull(),
  productId: myVarchar('product_id', { length: 100 }),
  variantId: myVarchar('variant_id', { length: 100 }),
  metadata: myJsonText('metadata'),
})

const myOrderEvents = mysqlTable(TABLES.orderEvents, {
  id: myVarchar('id', { length: 36 }).primaryKey(),
  orderId: myVarchar('order_id', { length: 36 })
    .notNull()
    .references(() => myOrders.id),
  type: myVarchar('type', { length: 32 }).notNull(),
  fromStatus: myVarchar('from_status', { length: 16 }),
  toStatus: myVarchar('to_status', { length: 16 }),
  note: myText('note'),
  actor: myVarchar('actor', { length: 200 }),
  createdAt: myDate('created_at').notNull(),
})

const myCounters = mysqlTable(TABLES.counters, {
  name: myVarchar('name', { length: 64 }).primaryKey(),
  value: myBigint('value', { mode: 'number' }).notNull(),
})

/** The MySQL/MariaDB schema for drizzle(…, { schema, mode }). */
export const mysqlSchema = {
  orders: myOrders,
  orderLines: myOrderLines,
  orderEvents: myOrderEvents,
  counters: myCounters,
  ordersRelations: relations(myOrders, ({ many }) => ({ lines: many(myOrderLines) })),
  orderLinesRelations: relations(myOrderLines, ({ one }) => ({
    order: one(myOrders, { fields: [myOrderLines.orderId], references: [myOrders.id] }),
  })),
}
