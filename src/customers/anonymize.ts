import type { Knex } from 'knex'
import { z } from 'zod'
import { CustomerHasOpenOrdersError } from '../errors.js'
import { OPEN_ORDER_STATUSES } from '../orders/order-status.js'
import { fromDbJson, toDbDate, toDbJson } from '../sql/values.js'
import type { StoreContext } from '../store-context.js'
import type { AddressSnapshot } from './address.js'
import type { CustomerRow } from './customer-row.js'

/** The schema behind `AnonymizeOptions`. */
export const anonymizeOptionsSchema = z.strictObject({ force: z.boolean().optional() })

/**
 * The email an erased customer and their orders keep: unique per customer, lower-case, and on the
 * `.invalid` top-level domain (RFC 2606), so nothing can ever be sent to it.
 */
export function anonymizedEmail(customerId: string): string {
  return `${customerId}@anonymized.invalid`.toLowerCase()
}

/**
 * Redacts one stored address snapshot (JSON text) down to what tax records need: the country, the region
 * and the first three characters of the postal code; every other field becomes `null`. `null` stays `null`.
 */
export function redactAddressSnapshot(value: unknown): AddressSnapshot | null {
  const snapshot = fromDbJson<Partial<Record<keyof AddressSnapshot, unknown>>>(value)
  if (snapshot === null) return null
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null)
  return {
    name: null,
    company: null,
    line1: null,
    line2: null,
    city: null,
    region: text(snapshot.region),
    postalCode: text(snapshot.postalCode)?.slice(0, 3) ?? null,
    country: text(snapshot.country) ?? '',
    phone: null,
  }
}

interface ErasedOrderRow {
  id: string
  shipping_address: unknown
  billing_address: unknown
}

// Keeps `where id in (…)` lists well under every dialect's bound-parameter limit.
const CHUNK = 500

/**
 * Erases a customer's personal data inside `trx`, the caller's transaction, with the customer row
 * already locked: refuses when orders are still open (unless `force`), then blanks the customer,
 * deletes their addresses and payment methods, and scrubs their orders (and guest orders placed with
 * the same email) down to what the books need. Set-based updates, except one per order whose address
 * snapshots must be rewritten.
 */
export async function eraseCustomer(
  trx: Knex.Transaction,
  ctx: Pick<StoreContext, 'tables' | 'dialect'>,
  customer: CustomerRow,
  force: boolean,
): Promise<void> {
  const t = ctx.tables
  const open: Array<{ id: string }> = await trx(t.orders)
    .where('customer_id', customer.id)
    .whereIn('status', OPEN_ORDER_STATUSES)
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .select('id')
  if (open.length > 0 && !force) {
    throw new CustomerHasOpenOrdersError(
      customer.id,
      open.map((o) => o.id),
    )
  }

  const placeholder = anonymizedEmail(customer.id)
  const now = toDbDate(ctx.dialect, new Date())
  await trx(t.customers)
    .where('id', customer.id)
    .update({
      email: placeholder,
      email_normalized: placeholder,
      name: null,
      phone: null,
      metadata: null,
      anonymized_at: now,
      updated_at: now,
      version: trx.raw('?? + 1', ['version']),
    })
  await trx(t.addresses).where('customer_id', customer.id).del()
  await trx(t.paymentMethods).where('customer_id', customer.id).del()

  // Guest orders placed with the same email are the same person's data.
  const ordersQuery = trx(t.orders)
    .where('customer_id', customer.id)
    .orWhere('email_normalized', customer.email_normalized)
    .select('id', 'shipping_address', 'billing_address')
  // Lock them so that a concurrent write cannot put the old snapshot back (SQLite: the write lock).
  if (ctx.dialect !== 'sqlite3') ordersQuery.forUpdate()
  const orders: ErasedOrderRow[] = await ordersQuery
  const ids = orders.map((o) => o.id)

  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK)
    await trx(t.orders)
      .whereIn('id', chunk)
      .update({
        email: placeholder,
        email_normalized: placeholder,
        note: null,
        metadata: null,
        updated_at: now,
        // The row changed: a writer holding the old version must read it again.
        version: trx.raw('?? + 1', ['version']),
      })
    await trx(t.orderLines).whereIn('order_id', chunk).update({ metadata: null })
    // A parcel's metadata may name the recipient; carrier and tracking number are not personal data.
    await trx(t.fulfillments).whereIn('order_id', chunk).update({ metadata: null })
    await trx(t.orderEvents).whereIn('order_id', chunk).update({ note: null })
    // An actor recorded as the customer's own email is their personal data too.
    await trx(t.orderEvents)
      .whereIn('order_id', chunk)
      .whereRaw('lower(??) = ?', ['actor', customer.email_normalized])
      .update({ actor: placeholder })
  }
  for (const order of orders) {
    if (order.shipping_address == null && order.billing_address == null) continue
    await trx(t.orders)
      .where('id', order.id)
      .update({
        shipping_address: toDbJson(redactAddressSnapshot(order.shipping_address)),
        billing_address: toDbJson(redactAddressSnapshot(order.billing_address)),
      })
  }
}
