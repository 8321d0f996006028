import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { CustomerAnonymizedError, NotFoundError, ValidationError } from '../errors.js'
import { orderPlaced } from '../outbox/drafts.js'
import { appendOutboxEvents } from '../outbox/outbox-writer.js'
import type { Tables } from '../schema/tables.js'
import type { Dialect } from '../sql/dialect.js'
import { queryRows } from '../sql/statements.js'
import { fromDbInt, toDbDate, toDbJson } from '../sql/values.js'
import { normalizeEmail } from '../text.js'
import type { Order, StoredPaymentSummary } from './order.js'
import type { ParsedOrderInput, ValidOrder } from './order-input.js'
import { nextOrderNumbers, orderIdFor, takeOrderNumbers } from './order-number.js'
import {
  EVENT_COLUMNS,
  LINE_COLUMNS,
  ORDER_COLUMNS,
  type OrderEventRow,
  type OrderLineRow,
  type OrderRow,
} from './order-row.js'
import { selectCustomerEmails } from './order-statements.js'

/** The rows one new order is written as. */
export interface NewOrderRows {
  readonly order: OrderRow
  /** In position order. */
  readonly lines: readonly OrderLineRow[]
  /** The `order_placed` event. */
  readonly placed: OrderEventRow
}

/**
 * Writes new orders in `trx`, the path shared by `create` (one order) and `createMany` (a batch): reads
 * and share-locks the customers the inputs name, takes one consecutive run of numbers, then inserts
 * the orders, their lines, their `order_placed` events and their `order.placed` outbox events with one
 * multi-row statement per table (more only past 1,000 rows or 2 MiB, see `insertRows`), on PostgreSQL
 * one statement for all four tables while it stays within the parameter limit. For one order: 5
 * statements for a guest, 6 with a customer; on MySQL 6 for both (it reads the database clock with the
 * customer, or for a guest in a statement of its own); on PostgreSQL 2 and 3.
 *
 * @param galera - True when `trx` runs on a Galera node: numbers then come from the node's block.
 * @returns The orders, in input order, numbered consecutively in that order.
 * @throws `NOT_FOUND` when a customer does not exist; `CUSTOMER_ANONYMIZED` when one was erased.
 */
export async function writeOrders(
  trx: Knex.Transaction,
  dialect: Dialect,
  tables: Tables,
  valid: readonly ValidOrder[],
  galera = false,
): Promise<Order[]> {
  const { emails, first, now } = await customersAndNumbers(trx, dialect, tables, valid, galera)
  const rows = valid.map((order, i) => buildOrderRows(order, first + i, emails[i] as string, now, dialect))
  const orders = rows.map((r, i) => orderFromRows(r, valid[i] as ValidOrder, now))
  // Each order row is inserted with its outbox counter at 1: this event. The rows go in table order
  // (orders before the lines and events that reference them), on PostgreSQL in one statement.
  await appendOutboxEvents(
    trx,
    dialect,
    tables,
    orders.map((order) => orderPlaced(order, now)),
    'new',
    [
      { table: tables.orders, columns: ORDER_COLUMNS, rows: rows.map((r) => r.order) },
      { table: tables.orderLines, columns: LINE_COLUMNS, rows: rows.flatMap((r) => r.lines) },
      { table: tables.orderEvents, columns: EVENT_COLUMNS, rows: rows.map((r) => r.placed) },
    ],
  )
  return orders
}

/**
 * The emails of the batch ({@link orderEmails}), its first number, and the database's clock read after
 * the counter's lock (so that createdAt order follows number order).
 *
 * On MySQL, whose counter UPDATE cannot return the clock, the customers are read after the counter, in
 * the statement that reads the clock: one statement fewer. Taking the customers' shared locks after the
 * counter's lock cannot deadlock: an erasure locks a customer and its orders, never the counter.
 */
async function customersAndNumbers(
  trx: Knex.Transaction,
  dialect: Dialect,
  tables: Tables,
  valid: readonly ValidOrder[],
  galera: boolean,
): Promise<{ emails: string[]; first: number; now: Date }> {
  if (dialect === 'mysql' && customerIds(valid).length > 0) {
    const first = await takeOrderNumbers(trx, tables.counters, valid.length, galera)
    const { emails, clockMs } = await orderEmails(trx, dialect, tables, valid, true)
    return { emails, first, now: new Date(fromDbInt(clockMs)) }
  }
  const { emails } = await orderEmails(trx, dialect, tables, valid)
  const { first, now } = await nextOrderNumbers(trx, dialect, tables.counters, valid.length, galera)
  return { emails, first, now }
}

/**
 * The order's email for each input: its own, else its customer's, read in one statement for all the
 * customers of the batch (none when no input names a customer); with `clock`, the database's clock
 * read by the same statement.
 *
 * Erasure wins every race: the read takes a shared lock on each customer row (`FOR SHARE`, MySQL
 * `LOCK IN SHARE MODE`), which conflicts with the row lock `customers.anonymize` takes first. So an
 * erasure either commits before this read, and the read (a locking read gives the newest committed row,
 * also under MySQL's REPEATABLE READ) sees `anonymized_at` and refuses, or waits for this transaction
 * and then erases the new order with the rest. SQLite runs one writer at a time. Customers given with an
 * email of the input's own are read too, for the same reason.
 *
 * @throws `NOT_FOUND` for the first input, in input order, whose customer does not exist;
 * `CUSTOMER_ANONYMIZED` for the first whose customer was erased.
 */
async function orderEmails(
  trx: Knex.Transaction,
  dialect: Dialect,
  tables: Tables,
  valid: readonly ValidOrder[],
  clock = false,
): Promise<{ emails: string[]; clockMs: unknown }> {
  const ids = customerIds(valid)
  const found = new Map<string, { email: string; anonymized: boolean }>()
  let clockMs: unknown
  if (ids.length > 0) {
    const rows = await queryRows<{ id: string; email: unknown; anonymized_at: unknown; now_ms?: unknown }>(
      trx,
      selectCustomerEmails(trx, dialect, tables, ids, clock),
    )
    for (const row of rows) {
      found.set(row.id, { email: String(row.email), anonymized: row.anonymized_at != null })
      clockMs = row.now_ms
    }
  }
  const emails = valid.map(({ input }) => {
    if (input.customerId == null) {
      if (input.email != null) return input.email
      // The schema demands an email when there is no customer, so this only guards the types.
      throw new ValidationError([{ path: 'email', message: 'an order needs an email' }])
    }
    const customer = found.get(input.customerId)
    if (customer === undefined) throw new NotFoundError('customer', input.customerId)
    if (customer.anonymized) throw new CustomerAnonymizedError(input.customerId)
    return input.email ?? customer.email
  })
  return { emails, clockMs }
}

/** The distinct customer ids of a batch, in input order. */
export function customerIds(valid: readonly ValidOrder[]): string[] {
  const ids = new Set<string>()
  for (const { input } of valid) if (input.customerId != null) ids.add(input.customerId)
  return [...ids]
}

/**
 * The first of `ids` that names no customer, read on `db` (after a write failed on the foreign key).
 *
 * @returns The id, or `undefined` when every customer exists.
 */
export async function missingCustomer(
  db: Knex,
  customers: string,
  ids: readonly string[],
): Promise<string | undefined> {
  if (ids.length === 0) return undefined
  const rows = (await db(customers)
    .select('id')
    .whereIn('id', [...ids])) as Array<{ id: string }>
  const existing = new Set(rows.map((row) => row.id))
  return ids.find((id) => !existing.has(id))
}

/**
 * The rows of one new order: the order (status `pending`, version 1), its lines in the order given, and
 * its `order_placed` event, all stamped `now`.
 *
 * @param valid - The checked input and its totals.
 * @param number - The order's number, taken from the counter.
 * @param email - The order's email: the input's, or its customer's.
 * @param now - When the order is placed.
 * @param dialect - The database family, for the stored form of `now`.
 */
export function buildOrderRows(
  { input, totals, shares }: ValidOrder,
  number: number,
  email: string,
  now: Date,
  dialect: Dialect,
): NewOrderRows {
  const at = toDbDate(dialect, now)
  const id = orderIdFor(now, number)
  const order: OrderRow = {
    id,
    number,
    customer_id: input.customerId ?? null,
    email,
    email_normalized: normalizeEmail(email),
    status: 'pending',
    currency: input.currency,
    subtotal: totals.subtotal,
    shipping_total: input.shippingTotal,
    tax_total: input.taxTotal,
    discount_total: input.discountTotal,
    total: totals.total,
    shipping_address: toDbJson(input.shippingAddress),
    billing_address: toDbJson(input.billingAddress),
    payment: toDbJson(paymentSummary(input)),
    note: input.note ?? null,
    metadata: toDbJson(input.metadata),
    version: 1,
    outbox_sequence: 1, // its order.placed event
    created_at: at,
    updated_at: at,
    captured_total: 0,
    refunded_total: 0,
    payment_status: 'unpaid',
  }
  const lines = input.items.map(
    (item, position): OrderLineRow => ({
      id: uuidv7(),
      order_id: id,
      position,
      sku: item.sku,
      name: item.name,
      attributes: toDbJson(item.attributes ?? {}) ?? '{}',
      quantity: item.quantity,
      unit_price: item.unitPrice,
      total: totals.lineTotals[position] ?? 0,
      tax_total: shares[position]?.taxTotal ?? 0,
      discount_total: shares[position]?.discountTotal ?? 0,
      refunded_quantity: 0,
      product_id: item.productId ?? null,
      variant_id: item.variantId ?? null,
      metadata: toDbJson(item.metadata),
    }),
  )
  const placed: OrderEventRow = {
    id: uuidv7(),
    order_id: id,
    type: 'order_placed',
    from_status: null,
    to_status: 'pending',
    note: null,
    actor: null,
    created_at: at,
  }
  return { order, lines, placed }
}

/**
 * The order just written, as a read will return it, built from its rows and the parsed input they were
 * made of: the JSON columns hold exactly these values, so nothing is parsed back.
 *
 * @param rows - The rows {@link buildOrderRows} made.
 * @param valid - The input they were made of.
 * @param now - The `now` they were stamped with.
 */
export function orderFromRows(rows: NewOrderRows, { input, totals, shares }: ValidOrder, now: Date): Order {
  const { order } = rows
  return {
    id: order.id,
    number: Number(order.number),
    status: 'pending',
    fulfillmentStatus: 'unfulfilled',
    version: order.version,
    customerId: order.customer_id,
    email: order.email,
    currency: order.currency,
    items: rows.lines.map((line, position) => {
      const item = input.items[position] as ParsedOrderInput['items'][number]
      return {
        id: line.id,
        sku: line.sku,
        name: line.name,
        attributes: item.attributes ?? {},
        quantity: line.quantity,
        unitPrice: item.unitPrice,
        total: totals.lineTotals[position] ?? 0,
        taxTotal: shares[position]?.taxTotal ?? 0,
        discountTotal: shares[position]?.discountTotal ?? 0,
        refundedQuantity: 0,
        productId: line.product_id,
        variantId: line.variant_id,
        metadata: item.metadata ?? {},
      }
    }),
    subtotal: totals.subtotal,
    shippingTotal: input.shippingTotal,
    taxTotal: input.taxTotal,
    discountTotal: input.discountTotal,
    total: totals.total,
    shippingAddress: input.shippingAddress ?? null,
    billingAddress: input.billingAddress ?? null,
    payment: paymentSummary(input),
    note: order.note,
    metadata: input.metadata ?? {},
    capturedTotal: 0,
    refundedTotal: 0,
    paymentStatus: 'unpaid',
    // A Date of its own per field: a caller changing one must not change another order's.
    createdAt: new Date(now.getTime()),
    updatedAt: new Date(now.getTime()),
  }
}

/** The payment as stored: the provider's reference and the card's brand and last four, never more. */
function paymentSummary(input: ParsedOrderInput): StoredPaymentSummary | null {
  if (!input.payment) return null
  return {
    provider: input.payment.provider,
    reference: input.payment.reference,
    brand: input.payment.brand ?? null,
    last4: input.payment.last4 ?? null,
  }
}
