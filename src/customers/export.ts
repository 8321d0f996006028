import type { Knex } from 'knex'
import { NotFoundError } from '../errors.js'
import type { Fulfillment } from '../fulfillments/fulfillment.js'
import {
  type FulfillmentLineRow,
  type FulfillmentRow,
  toFulfillment,
} from '../fulfillments/fulfillment-row.js'
import type { Order, OrderEvent } from '../orders/order.js'
import {
  type OrderEventRow,
  type OrderLineRow,
  type OrderRow,
  toOrder,
  toOrderEvent,
} from '../orders/order-row.js'
import type { Payment } from '../payments/payment.js'
import { readLedgers } from '../payments/payment-ledger.js'
import { type PaymentRow, toPayment } from '../payments/payment-row.js'
import type { StoreContext } from '../store-context.js'
import type { Address } from './address.js'
import type { Customer } from './customer.js'
import {
  type AddressRow,
  type CustomerRow,
  type PaymentMethodRow,
  toAddress,
  toCustomer,
  toPaymentMethod,
} from './customer-row.js'
import { type PreviousEmail, readPreviousEmails } from './email-history.js'
import type { PaymentMethod } from './payment-method.js'

/**
 * `T` as JSON carries it: every `Date`, at any depth, becomes its ISO 8601 string (UTC, milliseconds);
 * everything else is already plain JSON.
 *
 * @example
 * ```ts
 * const createdAt: JsonReady<Date> = '2026-01-31T09:15:00.000Z'
 * ```
 */
export type JsonReady<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? JsonReady<U>[]
    : T extends object
      ? { [K in keyof T]: JsonReady<T[K]> }
      : T

/**
 * A saved payment method in an export: what identifies the card to its holder (provider, brand, last
 * four, expiry), never the provider's token or fingerprint. Those are the shop's handles on the card at
 * its provider, useless to the person and to any other shop, and a token in a file the person may
 * forward anywhere is a liability to them and to the shop alike.
 *
 * @example
 * ```ts
 * const { paymentMethods } = await store.customers.export(ada.id)
 * paymentMethods[0] // { id, customerId, provider: 'stripe', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030, … }
 * ```
 */
export type ExportedPaymentMethod = JsonReady<Omit<PaymentMethod, 'token' | 'fingerprint'>>

/**
 * An order in an export: as `orders.get` reads it, with its history (oldest first), dates as strings.
 *
 * @example
 * ```ts
 * const { orders } = await store.customers.export(ada.id)
 * orders[0].events.map((e) => `${e.at} ${e.to}`) // ['2026-01-31T09:15:00.000Z pending', …]
 * ```
 */
export type ExportedOrder = JsonReady<
  Order & {
    /** The order's events, oldest first, as `orders.events` reads them. */
    events: OrderEvent[]
    /** The order's payments with their ledgers, oldest first, as `payments.list` reads them. */
    payments: Payment[]
    /** The order's fulfillments with their lines, oldest first, as `fulfillments.list` reads them. */
    fulfillments: Fulfillment[]
  }
>

/**
 * Everything the store holds about one person (GDPR art. 15 and 20), as one plain object:
 * `JSON.stringify` keeps all of it and `JSON.parse` gives it back equal. Read with a fixed number of
 * statements, however many orders there are.
 *
 * @example
 * ```ts
 * const data: CustomerExport = await store.customers.export(ada.id)
 * await writeFile('ada.json', JSON.stringify(data, null, 2))
 * data.customer.createdAt // '2026-01-31T09:15:00.000Z'
 * ```
 */
export interface CustomerExport {
  /** When the export was read, ISO 8601. */
  exportedAt: string
  /** The customer record (after erasure: the placeholder email and `anonymizedAt`). */
  customer: JsonReady<Omit<Customer, 'addresses' | 'paymentMethods'>>
  /** Emails the customer had before an update replaced them, normalised, oldest replacement first. */
  previousEmails: JsonReady<PreviousEmail>[]
  /** Saved addresses, oldest first. */
  addresses: JsonReady<Address>[]
  /** Saved payment methods, oldest first. */
  paymentMethods: ExportedPaymentMethod[]
  /** The customer's orders, oldest first, with their lines and events. */
  orders: ExportedOrder[]
  /** Guest orders placed under the customer's email or a previous one, oldest first. */
  guestOrders: ExportedOrder[]
}

/** `value` with every `Date` replaced by its ISO string, as JSON.stringify would write it. */
function jsonReady<T>(value: T): JsonReady<T> {
  if (value instanceof Date) return value.toISOString() as JsonReady<T>
  if (Array.isArray(value)) return value.map(jsonReady) as JsonReady<T>
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = jsonReady(item)
    return out as JsonReady<T>
  }
  return value as JsonReady<T>
}

const oldestFirst = [{ column: 'created_at' }, { column: 'id' }]

/**
 * Reads everything about customer `id` on `ctx.db`: ten statements whatever the number of orders
 * (customer, addresses, payment methods, previous emails, orders, their lines, their events, their
 * payments, their fulfillments and those fulfillments' lines), and one more for the payments' ledgers
 * when there are payments; children are selected by a subquery, not by a list of ids. Not one snapshot: an order placed meanwhile
 * may be missing, never half there.
 *
 * @throws `NOT_FOUND` when there is no such customer.
 */
export async function exportCustomer(
  ctx: Pick<StoreContext, 'db' | 'tables'>,
  id: string,
): Promise<CustomerExport> {
  const { db, tables: t } = ctx
  const row: CustomerRow | undefined = await db(t.customers).where('id', id).first()
  if (!row) throw new NotFoundError('customer', id)
  const exportedAt = new Date()
  const addressRows: AddressRow[] = await db(t.addresses).where('customer_id', id).orderBy(oldestFirst)
  const methodRows: PaymentMethodRow[] = await db(t.paymentMethods)
    .where('customer_id', id)
    .orderBy(oldestFirst)
  const previousEmails = await readPreviousEmails(db, t.customerEmails, id)

  const emails = [row.email_normalized, ...previousEmails.map((p) => p.email)]
  const theirs = (q: Knex.QueryBuilder) =>
    q
      .where('customer_id', id)
      .orWhere((guest) => guest.whereNull('customer_id').whereIn('email_normalized', emails))
  const orderIds = () => theirs(db(t.orders).select('id'))
  const orderRows: OrderRow[] = await theirs(db(t.orders).select('*')).orderBy(oldestFirst)
  const lineRows: OrderLineRow[] = await db(t.orderLines)
    .whereIn('order_id', orderIds())
    .orderBy([{ column: 'order_id' }, { column: 'position' }])
  const eventRows: OrderEventRow[] = await db(t.orderEvents)
    .whereIn('order_id', orderIds())
    .orderBy(oldestFirst)
  const paymentRows: PaymentRow[] = await db(t.payments).whereIn('order_id', orderIds()).orderBy(oldestFirst)
  const ledgers = await readLedgers(
    db,
    t,
    paymentRows.map((p) => p.id),
  )
  const fulfillmentRows: FulfillmentRow[] = await db(t.fulfillments)
    .whereIn('order_id', orderIds())
    .orderBy(oldestFirst)
  const parcelLines: FulfillmentLineRow[] = await db(t.fulfillmentLines)
    .whereIn('order_id', orderIds())
    .orderBy([{ column: 'fulfillment_id' }, { column: 'position' }])
  const linesOfParcel = groupBy(parcelLines, (line) => line.fulfillment_id)
  const payments = groupBy(
    paymentRows.map((p) => toPayment(p, ledgers.get(p.id) ?? [])),
    (p) => p.orderId,
  )
  const fulfillments = groupBy(
    fulfillmentRows.map((f) => toFulfillment(f, linesOfParcel.get(f.id) ?? [])),
    (f) => f.orderId,
  )

  const lines = groupBy(lineRows, (line) => line.order_id)
  const events = groupBy(eventRows, (event) => event.order_id)
  const orders = orderRows.map((order) =>
    jsonReady({
      ...toOrder(order, lines.get(order.id) ?? []),
      events: (events.get(order.id) ?? []).map(toOrderEvent),
      payments: payments.get(order.id) ?? [],
      fulfillments: fulfillments.get(order.id) ?? [],
    }),
  )
  const { addresses: _a, paymentMethods: _p, ...customer } = toCustomer(row, [], [])
  return {
    exportedAt: exportedAt.toISOString(),
    customer: jsonReady(customer),
    previousEmails: jsonReady(previousEmails),
    addresses: addressRows.map((a) => jsonReady(toAddress(a))),
    paymentMethods: methodRows.map((m) => {
      const { token: _token, fingerprint: _fingerprint, ...method } = toPaymentMethod(m, exportedAt)
      return jsonReady(method)
    }),
    orders: orders.filter((o) => o.customerId === id),
    guestOrders: orders.filter((o) => o.customerId === null),
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const group = groups.get(key(item))
    if (group) group.push(item)
    else groups.set(key(item), [item])
  }
  return groups
}
