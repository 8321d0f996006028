import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { NotFoundError, ValidationError } from '../errors.js'
import type { Tables } from '../schema/tables.js'
import type { Dialect } from '../sql/dialect.js'
import { isForeignKeyViolation } from '../sql/driver-errors.js'
import { insertRows } from '../sql/multi-row-insert.js'
import { toDbDate, toDbJson } from '../sql/values.js'
import { normalizeEmail } from '../text.js'
import type { Order, StoredPaymentSummary } from './order.js'
import type { ParsedOrderInput, ValidOrder } from './order-input.js'
import { nextOrderNumbers } from './order-number.js'
import {
  EVENT_COLUMNS,
  LINE_COLUMNS,
  ORDER_COLUMNS,
  type OrderEventRow,
  type OrderLineRow,
  type OrderRow,
} from './order-row.js'

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
 * the emails of the customers of inputs that give none, takes one consecutive run of numbers, then inserts
 * the orders, their lines and their `order_placed` events with one multi-row statement per table (more
 * only past 1,000 rows or 2 MiB, see {@link insertRows}). For one order: 4 statements, 5 with the read.
 *
 * @param galera - True when `trx` runs on a Galera node: numbers then come from the node's block.
 * @returns The orders, in input order, numbered consecutively in that order.
 * @throws `NOT_FOUND` when a customer does not exist and it is known which one; a foreign key violation
 * from the driver when several inputs give a customerId with an email (see {@link missingCustomer}).
 */
export async function writeOrders(
  trx: Knex.Transaction,
  dialect: Dialect,
  tables: Tables,
  valid: readonly ValidOrder[],
  galera = false,
): Promise<Order[]> {
  const emails = await orderEmails(trx, tables.customers, valid)
  const first = await nextOrderNumbers(trx, dialect, tables.counters, valid.length, galera)
  const now = new Date()
  const rows = valid.map((order, i) => buildOrderRows(order, first + i, emails[i] as string, now, dialect))
  try {
    await insertRows(
      trx,
      tables.orders,
      ORDER_COLUMNS,
      rows.map((r) => r.order),
    )
  } catch (error) {
    // With an explicit email the customer is not read first: the foreign key says whether it exists.
    // With one customer in the batch it is the one; with several the caller finds out which, after
    // the rollback (on pg the failed statement has aborted this transaction).
    const ids = customerIds(valid)
    if (ids.length === 1 && isForeignKeyViolation(error))
      throw new NotFoundError('customer', ids[0] as string)
    throw error
  }
  await insertRows(
    trx,
    tables.orderLines,
    LINE_COLUMNS,
    rows.flatMap((r) => r.lines),
  )
  await insertRows(
    trx,
    tables.orderEvents,
    EVENT_COLUMNS,
    rows.map((r) => r.placed),
  )
  return rows.map((r, i) => orderFromRows(r, valid[i] as ValidOrder, now))
}

/**
 * The order's email for each input: its own, else its customer's, read in one statement for all the
 * customers of the batch (none when every input gives an email).
 *
 * @throws `NOT_FOUND` for the first input, in input order, whose customer does not exist.
 */
async function orderEmails(
  trx: Knex.Transaction,
  customers: string,
  valid: readonly ValidOrder[],
): Promise<string[]> {
  const ids = new Set<string>()
  for (const { input } of valid)
    if (input.email == null && input.customerId != null) ids.add(input.customerId)
  const found = new Map<string, string>()
  if (ids.size > 0) {
    const rows = (await trx(customers)
      .select('id', 'email')
      .whereIn('id', [...ids])) as Array<{ id: string; email: unknown }>
    for (const row of rows) found.set(row.id, String(row.email))
  }
  return valid.map(({ input }) => {
    if (input.email != null) return input.email
    if (input.customerId == null) {
      // The schema demands an email when there is no customer, so this only guards the types.
      throw new ValidationError([{ path: 'email', message: 'an order needs an email' }])
    }
    const email = found.get(input.customerId)
    if (email === undefined) throw new NotFoundError('customer', input.customerId)
    return email
  })
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
  { input, totals }: ValidOrder,
  number: number,
  email: string,
  now: Date,
  dialect: Dialect,
): NewOrderRows {
  const at = toDbDate(dialect, now)
  const id = uuidv7()
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
    created_at: at,
    updated_at: at,
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
export function orderFromRows(rows: NewOrderRows, { input, totals }: ValidOrder, now: Date): Order {
  const { order } = rows
  return {
    id: order.id,
    number: Number(order.number),
    status: 'pending',
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
