import { randomBytes } from 'node:crypto'
import type { Knex } from 'knex'
import { z } from 'zod'
import { CustomerHasOpenOrdersError } from '../errors.js'
import { ERASED_REQUEST_HASH, erasedIdempotencyKey } from '../orders/idempotency.js'
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

interface KeyRow {
  key: string
  request_hash: string
  order_id: string
  created_at: unknown
}

// Keeps `where id in (…)` lists well under every dialect's bound-parameter limit.
const CHUNK = 500

/** `text` as a LIKE pattern matching any value that contains it; `!` escapes the wildcards. */
function containing(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, '!$&')}%`
}

/** Adds `lower(column) like …` for each of `texts`, or-ed, to `where`. */
function whereContainsAny(where: Knex.QueryBuilder, column: string, texts: readonly string[]): void {
  where.where((w) => {
    for (const text of texts) w.orWhereRaw(`lower(??) like ? escape '!'`, [column, containing(text)])
  })
}

/**
 * Erases a customer's personal data inside `trx`, the caller's transaction, with the customer row
 * already locked: refuses when orders are still open (unless `force`), then blanks the customer,
 * deletes their addresses, payment methods and previous emails, and scrubs their orders, and guest
 * orders placed under any email they have had, down to what the books need: event notes, and actors
 * that contain their name, phone or any of their emails; idempotency keys of those orders, and keys
 * whose text holds one of their emails, become digests with no request hash. Set-based updates, except
 * one per order whose address snapshots must be rewritten.
 *
 * The customer row is locked before the orders are read, and `orders.create` share-locks the row it
 * reads: an order placed concurrently either committed before this read, and is erased here, or waits
 * and then finds the customer erased.
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

  const previous: Array<{ email_normalized: string }> = await trx(t.customerEmails)
    .where('customer_id', customer.id)
    .select('email_normalized')
  const emails = [...new Set([customer.email_normalized, ...previous.map((p) => p.email_normalized)])]
  // What identifies the person in free text such as an event's actor (`customer:ada@example.com`).
  const identifiers = [...emails, customer.name, customer.phone].filter(
    (text): text is string => typeof text === 'string' && text.trim() !== '',
  )

  const placeholder = await freePlaceholder(trx, t.customers, customer.id)
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

  // Guest orders placed under any email the customer has had are the same person's data.
  const ordersQuery = trx(t.orders)
    .where('customer_id', customer.id)
    .orWhereIn('email_normalized', emails)
    .select('id', 'shipping_address', 'billing_address')
  // Lock them so that a concurrent write cannot put the old snapshot back (SQLite: the write lock).
  if (ctx.dialect !== 'sqlite3') ordersQuery.forUpdate()
  const orders: ErasedOrderRow[] = await ordersQuery
  const ids = orders.map((o) => o.id)

  const keys: KeyRow[] = []
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
    // An actor that names the customer (`Ada Lovelace`, `customer:Ada@Example.com`) is their data too.
    const actors = trx(t.orderEvents).whereIn('order_id', chunk)
    whereContainsAny(actors, 'actor', identifiers)
    await actors.update({ actor: placeholder })
    keys.push(...((await trx(t.idempotencyKeys).whereIn('order_id', chunk).select(KEY_COLUMNS)) as KeyRow[]))
  }
  // Keys of other orders whose text holds one of the emails (a gift's key built from the recipient's
  // address): a scan, as erasure is rare. Containment errs towards erasing: a key holding a longer
  // address that ends in one of these loses its replay too.
  const named = trx(t.idempotencyKeys).select(KEY_COLUMNS)
  whereContainsAny(named, 'key', emails)
  const seen = new Set(keys.map((k) => k.key))
  for (const row of (await named) as KeyRow[]) if (!seen.has(row.key)) keys.push(row)
  await eraseKeys(trx, t.idempotencyKeys, keys)

  for (const order of orders) {
    if (order.shipping_address == null && order.billing_address == null) continue
    await trx(t.orders)
      .where('id', order.id)
      .update({
        shipping_address: toDbJson(redactAddressSnapshot(order.shipping_address)),
        billing_address: toDbJson(redactAddressSnapshot(order.billing_address)),
      })
  }
  await trx(t.customerEmails).where('customer_id', customer.id).del()
}

const KEY_COLUMNS = ['key', 'request_hash', 'order_id', 'created_at']

/**
 * Replaces each key by its digest with a cleared request hash (see {@link erasedIdempotencyKey}): the
 * rows are deleted and inserted again, as the key is the primary key. A digest some other row already
 * holds (a caller who chose that very text as a key) is left to it rather than failing the erasure.
 */
async function eraseKeys(trx: Knex.Transaction, table: string, rows: readonly KeyRow[]): Promise<void> {
  // A key erased before is a digest already: digesting it again would lose it.
  const keys = rows.filter((row) => row.request_hash !== ERASED_REQUEST_HASH)
  for (let i = 0; i < keys.length; i += CHUNK) {
    const chunk = keys.slice(i, i + CHUNK)
    await trx(table)
      .whereIn(
        'key',
        chunk.map((k) => k.key),
      )
      .del()
    await trx(table)
      .insert(
        chunk.map((k) => ({
          key: erasedIdempotencyKey(k.key),
          request_hash: ERASED_REQUEST_HASH,
          order_id: k.order_id,
          created_at: k.created_at,
        })),
      )
      .onConflict('key')
      .ignore()
  }
}

/**
 * The email the erased customer keeps: {@link anonymizedEmail}, unless another customer already holds it
 * (signed up with it before `.invalid` addresses were refused), then the same with a random tag, so the
 * unique index never fails the erasure.
 */
async function freePlaceholder(
  trx: Knex.Transaction,
  customers: string,
  customerId: string,
): Promise<string> {
  const preferred = anonymizedEmail(customerId)
  const holder: { id: string } | undefined = await trx(customers)
    .where('email_normalized', preferred)
    .whereNot('id', customerId)
    .first('id')
  if (!holder) return preferred
  return `${customerId}.${randomBytes(8).toString('hex')}@anonymized.invalid`
}
