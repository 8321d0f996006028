import { relations } from 'drizzle-orm'
import {
  bigint as myBigint,
  customType as myCustomType,
  datetime as myDatetime,
  int as myInt,
  primaryKey as myPrimaryKey,
  mysqlTable,
  text as myText,
  varchar as myVarchar,
} from 'drizzle-orm/mysql-core'
import {
  bigint,
  customType,
  integer as pgInteger,
  primaryKey as pgPrimaryKey,
  pgTable,
  text as pgText,
  timestamp,
  varchar,
} from 'drizzle-orm/pg-core'
import { integer, primaryKey as sqlitePrimaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { TABLES } from '../workload.js'

/*
 * Drizzle table definitions matching the tables the library's migration creates, column for column (the
 * columns later migrations added with a default carry that default, as Drizzle writes it on insert), one
 * set per dialect, with the relations its relational queries (db.query.orders.findFirst({ with: { lines:
 * true } })) need. Orders with their lines, events and counter; payments with their ledger and refund
 * lines (W7); fulfillments with their lines (W8).
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
  capturedTotal: integer('captured_total').notNull().default(0),
  refundedTotal: integer('refunded_total').notNull().default(0),
  paymentStatus: text('payment_status').notNull().default('unpaid'),
  fulfillmentStatus: text('fulfillment_status').notNull().default('unfulfilled'),
  outboxSequence: integer('outbox_sequence').notNull().default(0),
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
  refundedQuantity: integer('refunded_quantity').notNull().default(0),
  fulfilledQuantity: integer('fulfilled_quantity').notNull().default(0),
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

const sqliteDate = (name: string) => integer(name, { mode: 'timestamp_ms' })

const sqlitePayments = sqliteTable(TABLES.payments, {
  id: text('id').primaryKey(),
  orderId: text('order_id')
    .notNull()
    .references(() => sqliteOrders.id),
  provider: text('provider').notNull(),
  reference: text('reference').notNull(),
  paymentMethodId: text('payment_method_id'),
  currency: text('currency').notNull(),
  amount: integer('amount').notNull(),
  capturedAmount: integer('captured_amount').notNull(),
  refundedAmount: integer('refunded_amount').notNull(),
  voidedAmount: integer('voided_amount').notNull(),
  status: text('status').notNull(),
  captureBefore: sqliteDate('capture_before'),
  version: integer('version').notNull(),
  createdAt: sqliteDate('created_at').notNull(),
  updatedAt: sqliteDate('updated_at').notNull(),
})

const sqlitePaymentTransactions = sqliteTable(TABLES.paymentTransactions, {
  id: text('id').primaryKey(),
  paymentId: text('payment_id')
    .notNull()
    .references(() => sqlitePayments.id),
  type: text('type').notNull(),
  amount: integer('amount').notNull(),
  reference: text('reference'),
  note: text('note'),
  actor: text('actor'),
  createdAt: sqliteDate('created_at').notNull(),
})

const sqliteRefundLines = sqliteTable(TABLES.refundLines, {
  id: text('id').primaryKey(),
  transactionId: text('transaction_id')
    .notNull()
    .references(() => sqlitePaymentTransactions.id),
  lineId: text('line_id')
    .notNull()
    .references(() => sqliteOrderLines.id),
  quantity: integer('quantity').notNull(),
  amount: integer('amount').notNull(),
})

const sqliteFulfillments = sqliteTable(TABLES.fulfillments, {
  id: text('id').primaryKey(),
  orderId: text('order_id')
    .notNull()
    .references(() => sqliteOrders.id),
  status: text('status').notNull(),
  carrier: text('carrier'),
  trackingNumber: text('tracking_number'),
  trackingUrl: text('tracking_url'),
  metadata: text('metadata', { mode: 'json' }),
  version: integer('version').notNull(),
  shippedAt: sqliteDate('shipped_at'),
  deliveredAt: sqliteDate('delivered_at'),
  cancelledAt: sqliteDate('cancelled_at'),
  createdAt: sqliteDate('created_at').notNull(),
  updatedAt: sqliteDate('updated_at').notNull(),
})

const sqliteFulfillmentLines = sqliteTable(
  TABLES.fulfillmentLines,
  {
    fulfillmentId: text('fulfillment_id')
      .notNull()
      .references(() => sqliteFulfillments.id),
    orderLineId: text('order_line_id')
      .notNull()
      .references(() => sqliteOrderLines.id),
    orderId: text('order_id').notNull(),
    position: integer('position').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (t) => [sqlitePrimaryKey({ columns: [t.fulfillmentId, t.orderLineId] })],
)

/** The SQLite schema for drizzle(…, { schema }). */
export const sqliteSchema = {
  orders: sqliteOrders,
  orderLines: sqliteOrderLines,
  orderEvents: sqliteOrderEvents,
  counters: sqliteCounters,
  payments: sqlitePayments,
  paymentTransactions: sqlitePaymentTransactions,
  refundLines: sqliteRefundLines,
  fulfillments: sqliteFulfillments,
  fulfillmentLines: sqliteFulfillmentLines,
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
  capturedTotal: bigint('captured_total', { mode: 'number' }).notNull().default(0),
  refundedTotal: bigint('refunded_total', { mode: 'number' }).notNull().default(0),
  paymentStatus: varchar('payment_status', { length: 20 }).notNull().default('unpaid'),
  fulfillmentStatus: varchar('fulfillment_status', { length: 32 }).notNull().default('unfulfilled'),
  outboxSequence: pgInteger('outbox_sequence').notNull().default(0),
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
  refundedQuantity: pgInteger('refunded_quantity').notNull().default(0),
  fulfilledQuantity: pgInteger('fulfilled_quantity').notNull().default(0),
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

const pgPayments = pgTable(TABLES.payments, {
  id: varchar('id', { length: 36 }).primaryKey(),
  orderId: varchar('order_id', { length: 36 })
    .notNull()
    .references(() => pgOrders.id),
  provider: varchar('provider', { length: 64 }).notNull(),
  reference: varchar('reference', { length: 255 }).notNull(),
  paymentMethodId: varchar('payment_method_id', { length: 36 }),
  currency: varchar('currency', { length: 3 }).notNull(),
  amount: bigint('amount', { mode: 'number' }).notNull(),
  capturedAmount: bigint('captured_amount', { mode: 'number' }).notNull(),
  refundedAmount: bigint('refunded_amount', { mode: 'number' }).notNull(),
  voidedAmount: bigint('voided_amount', { mode: 'number' }).notNull(),
  status: varchar('status', { length: 20 }).notNull(),
  captureBefore: pgDate('capture_before'),
  version: pgInteger('version').notNull(),
  createdAt: pgDate('created_at').notNull(),
  updatedAt: pgDate('updated_at').notNull(),
})

const pgPaymentTransactions = pgTable(TABLES.paymentTransactions, {
  id: varchar('id', { length: 36 }).primaryKey(),
  paymentId: varchar('payment_id', { length: 36 })
    .notNull()
    .references(() => pgPayments.id),
  type: varchar('type', { length: 16 }).notNull(),
  amount: bigint('amount', { mode: 'number' }).notNull(),
  reference: varchar('reference', { length: 255 }),
  note: pgText('note'),
  actor: varchar('actor', { length: 200 }),
  createdAt: pgDate('created_at').notNull(),
})

const pgRefundLines = pgTable(TABLES.refundLines, {
  id: varchar('id', { length: 36 }).primaryKey(),
  transactionId: varchar('transaction_id', { length: 36 })
    .notNull()
    .references(() => pgPaymentTransactions.id),
  lineId: varchar('line_id', { length: 36 })
    .notNull()
    .references(() => pgOrderLines.id),
  quantity: pgInteger('quantity').notNull(),
  amount: bigint('amount', { mode: 'number' }).notNull(),
})

const pgFulfillments = pgTable(TABLES.fulfillments, {
  id: varchar('id', { length: 36 }).primaryKey(),
  orderId: varchar('order_id', { length: 36 })
    .notNull()
    .references(() => pgOrders.id),
  status: varchar('status', { length: 16 }).notNull(),
  carrier: varchar('carrier', { length: 64 }),
  trackingNumber: varchar('tracking_number', { length: 128 }),
  trackingUrl: pgText('tracking_url'),
  metadata: pgJsonText('metadata'),
  version: pgInteger('version').notNull(),
  shippedAt: pgDate('shipped_at'),
  deliveredAt: pgDate('delivered_at'),
  cancelledAt: pgDate('cancelled_at'),
  createdAt: pgDate('created_at').notNull(),
  updatedAt: pgDate('updated_at').notNull(),
})

const pgFulfillmentLines = pgTable(
  TABLES.fulfillmentLines,
  {
    fulfillmentId: varchar('fulfillment_id', { length: 36 })
      .notNull()
      .references(() => pgFulfillments.id),
    orderLineId: varchar('order_line_id', { length: 36 })
      .notNull()
      .references(() => pgOrderLines.id),
    orderId: varchar('order_id', { length: 36 }).notNull(),
    position: pgInteger('position').notNull(),
    quantity: pgInteger('quantity').notNull(),
  },
  (t) => [pgPrimaryKey({ columns: [t.fulfillmentId, t.orderLineId] })],
)

/** The PostgreSQL schema for drizzle(…, { schema }). */
export const pgSchema = {
  orders: pgOrders,
  orderLines: pgOrderLines,
  orderEvents: pgOrderEvents,
  counters: pgCounters,
  payments: pgPayments,
  paymentTransactions: pgPaymentTransactions,
  refundLines: pgRefundLines,
  fulfillments: pgFulfillments,
  fulfillmentLines: pgFulfillmentLines,
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
  capturedTotal: myBigint('captured_total', { mode: 'number' }).notNull().default(0),
  refundedTotal: myBigint('refunded_total', { mode: 'number' }).notNull().default(0),
  paymentStatus: myVarchar('payment_status', { length: 20 }).notNull().default('unpaid'),
  fulfillmentStatus: myVarchar('fulfillment_status', { length: 32 }).notNull().default('unfulfilled'),
  outboxSequence: myInt('outbox_sequence').notNull().default(0),
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
  refundedQuantity: myInt('refunded_quantity').notNull().default(0),
  fulfilledQuantity: myInt('fulfilled_quantity').notNull().default(0),
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

const myPayments = mysqlTable(TABLES.payments, {
  id: myVarchar('id', { length: 36 }).primaryKey(),
  orderId: myVarchar('order_id', { length: 36 })
    .notNull()
    .references(() => myOrders.id),
  provider: myVarchar('provider', { length: 64 }).notNull(),
  reference: myVarchar('reference', { length: 255 }).notNull(),
  paymentMethodId: myVarchar('payment_method_id', { length: 36 }),
  currency: myVarchar('currency', { length: 3 }).notNull(),
  amount: myBigint('amount', { mode: 'number' }).notNull(),
  capturedAmount: myBigint('captured_amount', { mode: 'number' }).notNull(),
  refundedAmount: myBigint('refunded_amount', { mode: 'number' }).notNull(),
  voidedAmount: myBigint('voided_amount', { mode: 'number' }).notNull(),
  status: myVarchar('status', { length: 20 }).notNull(),
  captureBefore: myDate('capture_before'),
  version: myInt('version').notNull(),
  createdAt: myDate('created_at').notNull(),
  updatedAt: myDate('updated_at').notNull(),
})

const myPaymentTransactions = mysqlTable(TABLES.paymentTransactions, {
  id: myVarchar('id', { length: 36 }).primaryKey(),
  paymentId: myVarchar('payment_id', { length: 36 })
    .notNull()
    .references(() => myPayments.id),
  type: myVarchar('type', { length: 16 }).notNull(),
  amount: myBigint('amount', { mode: 'number' }).notNull(),
  reference: myVarchar('reference', { length: 255 }),
  note: myText('note'),
  actor: myVarchar('actor', { length: 200 }),
  createdAt: myDate('created_at').notNull(),
})

const myRefundLines = mysqlTable(TABLES.refundLines, {
  id: myVarchar('id', { length: 36 }).primaryKey(),
  transactionId: myVarchar('transaction_id', { length: 36 })
    .notNull()
    .references(() => myPaymentTransactions.id),
  lineId: myVarchar('line_id', { length: 36 })
    .notNull()
    .references(() => myOrderLines.id),
  quantity: myInt('quantity').notNull(),
  amount: myBigint('amount', { mode: 'number' }).notNull(),
})

const myFulfillments = mysqlTable(TABLES.fulfillments, {
  id: myVarchar('id', { length: 36 }).primaryKey(),
  orderId: myVarchar('order_id', { length: 36 })
    .notNull()
    .references(() => myOrders.id),
  status: myVarchar('status', { length: 16 }).notNull(),
  carrier: myVarchar('carrier', { length: 64 }),
  trackingNumber: myVarchar('tracking_number', { length: 128 }),
  trackingUrl: myText('tracking_url'),
  metadata: myJsonText('metadata'),
  version: myInt('version').notNull(),
  shippedAt: myDate('shipped_at'),
  deliveredAt: myDate('delivered_at'),
  cancelledAt: myDate('cancelled_at'),
  createdAt: myDate('created_at').notNull(),
  updatedAt: myDate('updated_at').notNull(),
})

const myFulfillmentLines = mysqlTable(
  TABLES.fulfillmentLines,
  {
    fulfillmentId: myVarchar('fulfillment_id', { length: 36 })
      .notNull()
      .references(() => myFulfillments.id),
    orderLineId: myVarchar('order_line_id', { length: 36 })
      .notNull()
      .references(() => myOrderLines.id),
    orderId: myVarchar('order_id', { length: 36 }).notNull(),
    position: myInt('position').notNull(),
    quantity: myInt('quantity').notNull(),
  },
  (t) => [myPrimaryKey({ columns: [t.fulfillmentId, t.orderLineId] })],
)

/** The MySQL/MariaDB schema for drizzle(…, { schema, mode }). */
export const mysqlSchema = {
  orders: myOrders,
  orderLines: myOrderLines,
  orderEvents: myOrderEvents,
  counters: myCounters,
  payments: myPayments,
  paymentTransactions: myPaymentTransactions,
  refundLines: myRefundLines,
  fulfillments: myFulfillments,
  fulfillmentLines: myFulfillmentLines,
  ordersRelations: relations(myOrders, ({ many }) => ({ lines: many(myOrderLines) })),
  orderLinesRelations: relations(myOrderLines, ({ one }) => ({
    order: one(myOrders, { fields: [myOrderLines.orderId], references: [myOrders.id] }),
  })),
}
