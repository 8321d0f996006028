import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { z } from 'zod'
import { DuplicateEmailError, NotFoundError, VersionConflictError } from '../errors.js'
import { isUniqueViolation } from '../sql/driver-errors.js'
import { decodeCursor, newestFirstAfter, splitPage } from '../sql/keyset.js'
import { type DbDate, fromDbDate, fromDbInt, toDbDate } from '../sql/values.js'
import type { StoreContext } from '../store-context.js'
import { expectedVersionSchema, normalizeEmail } from '../text.js'
import { parseId, parseInput } from '../validation.js'
import { customerAddressPatchSchema, customerAddressSchema } from './address.js'
import { anonymizeOptionsSchema, eraseCustomer } from './anonymize.js'
import {
  type Customer,
  type CustomerRepository,
  customerInputSchema,
  customerPatchSchema,
  listCustomersSchema,
} from './customer.js'
import {
  type AddressRow,
  type CustomerRow,
  type PaymentMethodRow,
  toAddress,
  toAddressChanges,
  toAddressRow,
  toCustomer,
  toMetadataColumn,
  toPaymentMethod,
  toPaymentMethodRow,
} from './customer-row.js'
import { paymentMethodSchema } from './payment-method.js'

// findByEmail looks up any string: one that is not an email address simply matches nobody.
const emailLookupSchema = z.string({ message: 'must be a string' }).max(320, 'must be at most 320 characters')

type Entity = NotFoundError['entity']

/**
 * Creates the customer repository over a store context. Every write runs in `ctx.write` (one
 * transaction or savepoint); plain reads run where `ctx.reader()` routes them, reads a write depends on
 * run on the primary, `ctx.db`, and load children with one query per child table.
 */
export function createCustomerRepository(ctx: StoreContext): CustomerRepository {
  const t = ctx.tables
  const at = (date: Date): DbDate => toDbDate(ctx.dialect, date)
  const bumpVersion = (db: Knex) => db.raw('?? + 1', ['version'])

  async function childRows<R>(db: Knex, table: string, customerIds: string[]): Promise<R[]> {
    return db(table)
      .whereIn('customer_id', customerIds)
      .orderBy([{ column: 'created_at' }, { column: 'id' }])
  }

  /** Attaches addresses and payment methods: two queries for any number of customers. */
  async function withChildren(db: Knex, rows: CustomerRow[]): Promise<Customer[]> {
    if (rows.length === 0) return []
    const ids = rows.map((r) => r.id)
    const [addressRows, methodRows] = await Promise.all([
      childRows<AddressRow>(db, t.addresses, ids),
      childRows<PaymentMethodRow>(db, t.paymentMethods, ids),
    ])
    const now = new Date()
    const addresses = groupBy(addressRows.map(toAddress), (a) => a.customerId)
    const methods = groupBy(
      methodRows.map((m) => toPaymentMethod(m, now)),
      (m) => m.customerId,
    )
    return rows.map((row) => toCustomer(row, addresses.get(row.id) ?? [], methods.get(row.id) ?? []))
  }

  async function readCustomer(
    db: Knex,
    column: 'id' | 'email_normalized',
    value: string,
  ): Promise<Customer | null> {
    const row: CustomerRow | undefined = await db(t.customers).where(column, value).first()
    if (!row) return null
    const [customer] = await withChildren(db, [row])
    return customer ?? null
  }

  async function requireCustomer(db: Knex, id: string): Promise<Customer> {
    const customer = await readCustomer(db, 'id', id)
    if (!customer) throw new NotFoundError('customer', id)
    return customer
  }

  /**
   * Reads and locks the customer row, so that changes to one customer's addresses, payment methods and
   * defaults take turns (SQLite has one writer at a time anyway and ignores FOR UPDATE).
   */
  async function lockCustomer(trx: Knex.Transaction, id: string): Promise<CustomerRow> {
    const query = trx(t.customers).where('id', id).first()
    if (ctx.dialect !== 'sqlite3') query.forUpdate()
    const row: CustomerRow | undefined = await query
    if (!row) throw new NotFoundError('customer', id)
    return row
  }

  /** After a conditional UPDATE matched nothing: tells a missing row from a stale version. Always throws. */
  async function explainMiss(
    db: Knex,
    table: string,
    where: Record<string, string>,
    entity: Entity,
    id: string,
    expectedVersion: number | undefined,
  ): Promise<never> {
    const row: { version: unknown } | undefined = await db(table).where(where).first('version')
    if (!row || expectedVersion === undefined) throw new NotFoundError(entity, id)
    throw new VersionConflictError(id, expectedVersion, fromDbInt(row.version))
  }

  /** Takes the default flag `column` away from the customer's other rows of `table`. */
  async function clearDefault(
    trx: Knex.Transaction,
    table: string,
    column: 'default_shipping_for' | 'default_billing_for' | 'default_for',
    customerId: string,
    keepId: string,
    now: DbDate,
  ): Promise<void> {
    await trx(table)
      .where(column, customerId)
      .whereNot('id', keepId)
      .update({ [column]: null, version: bumpVersion(trx), updated_at: now })
  }

  /** Deletes a child row of this customer, or throws NOT_FOUND for the customer or the row. */
  async function removeChild(
    table: string,
    entity: Entity,
    rawCustomerId: string,
    rawId: string,
  ): Promise<void> {
    const customerId = parseId(rawCustomerId, 'customerId')
    const id = parseId(rawId, entity === 'address' ? 'addressId' : 'paymentMethodId')
    await ctx.write(async (trx) => {
      await lockCustomer(trx, customerId)
      // Scoped to the customer: another customer's address or method is NOT_FOUND, never deleted.
      const deleted = await trx(table).where({ id, customer_id: customerId }).del()
      if (deleted === 0) throw new NotFoundError(entity, id)
    })
  }

  return {
    async create(input) {
      const data = parseInput(customerInputSchema, input)
      const now = new Date()
      const row: CustomerRow = {
        id: uuidv7(),
        email: data.email,
        email_normalized: normalizeEmail(data.email),
        name: data.name ?? null,
        phone: data.phone ?? null,
        metadata: toMetadataColumn(data.metadata),
        version: 1,
        created_at: at(now),
        updated_at: at(now),
        anonymized_at: null,
      }
      // The unique index on email_normalized decides, so two concurrent creates cannot both pass a
      // read-then-insert check.
      try {
        await ctx.write(async (trx) => {
          await trx(t.customers).insert(row)
        })
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateEmailError(error)
        throw error
      }
      return toCustomer(row, [], [])
    },

    async get(id) {
      return requireCustomer(await ctx.reader(), parseId(id, 'id'))
    },

    async find(id) {
      return readCustomer(await ctx.reader(), 'id', parseId(id, 'id'))
    },

    async findByEmail(email) {
      const normalized = normalizeEmail(parseInput(emailLookupSchema, email, 'email'))
      if (normalized === '') return null
      return readCustomer(await ctx.reader(), 'email_normalized', normalized)
    },

    async update(id, patch, options) {
      const customerId = parseId(id, 'id')
      const data = parseInput(customerPatchSchema, patch)
      const { expectedVersion } = parseInput(expectedVersionSchema, options ?? {}, 'options')
      const changes: Partial<CustomerRow> = {}
      if (data.email !== undefined) {
        changes.email = data.email
        changes.email_normalized = normalizeEmail(data.email)
      }
      if (data.name !== undefined) changes.name = data.name
      if (data.phone !== undefined) changes.phone = data.phone
      if (data.metadata !== undefined) changes.metadata = toMetadataColumn(data.metadata)

      if (Object.keys(changes).length === 0) {
        // Nothing to change: no write and no new version, but the same answers as a real update.
        const current = await requireCustomer(ctx.db, customerId)
        if (expectedVersion !== undefined && current.version !== expectedVersion) {
          throw new VersionConflictError(customerId, expectedVersion, current.version)
        }
        return current
      }
      try {
        return await ctx.write(async (trx) => {
          // Conditional UPDATE: the version check and the write are one statement, so two writers with
          // the same expectedVersion cannot both succeed.
          const query = trx(t.customers).where('id', customerId)
          if (expectedVersion !== undefined) query.andWhere('version', expectedVersion)
          const updated = await query.update({
            ...changes,
            version: bumpVersion(trx),
            updated_at: at(new Date()),
          })
          if (updated === 0) {
            await explainMiss(trx, t.customers, { id: customerId }, 'customer', customerId, expectedVersion)
          }
          return requireCustomer(trx, customerId)
        })
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateEmailError(error)
        throw error
      }
    },

    async list(options) {
      const opts = parseInput(listCustomersSchema, options ?? {}, 'options')
      const limit = opts.limit
      const position = opts.cursor ? decodeCursor(opts.cursor, 'options.cursor') : undefined
      const db = await ctx.reader()
      const query = db(t.customers).select('*')
      const search = opts.search?.trim().toLowerCase()
      if (search) {
        // '!' escapes LIKE's wildcards in the user's text; it means the same on all three dialects.
        const text = search.replace(/[!%_]/g, '!$&')
        query.where((w) =>
          w
            .whereRaw(`?? like ? escape '!'`, ['email_normalized', `${text}%`])
            .orWhereRaw(`lower(??) like ? escape '!'`, ['name', `%${text}%`]),
        )
      }
      const rows: CustomerRow[] = await newestFirstAfter(query, ctx.dialect, position).limit(limit + 1)
      const { pageRows, nextCursor } = splitPage(rows, limit, (r) => ({
        createdAt: fromDbDate(r.created_at),
        id: r.id,
      }))
      return { items: await withChildren(db, pageRows), nextCursor }
    },

    async addAddress(customerId, input) {
      const owner = parseId(customerId, 'customerId')
      const data = parseInput(customerAddressSchema, input)
      const now = at(new Date())
      const row = toAddressRow(uuidv7(), owner, data, now)
      await ctx.write(async (trx) => {
        await lockCustomer(trx, owner)
        // The unique default_*_for columns allow one default each: clear the old one first.
        if (row.default_shipping_for)
          await clearDefault(trx, t.addresses, 'default_shipping_for', owner, row.id, now)
        if (row.default_billing_for)
          await clearDefault(trx, t.addresses, 'default_billing_for', owner, row.id, now)
        await trx(t.addresses).insert(row)
      })
      return toAddress(row)
    },

    async updateAddress(customerId, addressId, patch, options) {
      const owner = parseId(customerId, 'customerId')
      const id = parseId(addressId, 'addressId')
      const data = parseInput(customerAddressPatchSchema, patch)
      const { expectedVersion } = parseInput(expectedVersionSchema, options ?? {}, 'options')
      const changes = toAddressChanges(data, owner)
      const where = { id, customer_id: owner }

      if (Object.keys(changes).length === 0) {
        // Nothing to change: no write and no new version, but the same answers as a real update.
        if (!(await ctx.db(t.customers).where('id', owner).first('id')))
          throw new NotFoundError('customer', owner)
        const row: AddressRow | undefined = await ctx.db(t.addresses).where(where).first()
        if (!row) throw new NotFoundError('address', id)
        const current = toAddress(row)
        if (expectedVersion !== undefined && current.version !== expectedVersion) {
          throw new VersionConflictError(id, expectedVersion, current.version)
        }
        return current
      }
      return ctx.write(async (trx) => {
        await lockCustomer(trx, owner)
        const now = at(new Date())
        if (changes.default_shipping_for)
          await clearDefault(trx, t.addresses, 'default_shipping_for', owner, id, now)
        if (changes.default_billing_for)
          await clearDefault(trx, t.addresses, 'default_billing_for', owner, id, now)
        const query = trx(t.addresses).where(where)
        if (expectedVersion !== undefined) query.andWhere('version', expectedVersion)
        const updated = await query.update({ ...changes, version: bumpVersion(trx), updated_at: now })
        // Throwing rolls back the cleared defaults too.
        if (updated === 0) await explainMiss(trx, t.addresses, where, 'address', id, expectedVersion)
        const row: AddressRow | undefined = await trx(t.addresses).where('id', id).first()
        if (!row) throw new NotFoundError('address', id)
        return toAddress(row)
      })
    },

    async removeAddress(customerId, addressId) {
      await removeChild(t.addresses, 'address', customerId, addressId)
    },

    async addPaymentMethod(customerId, input) {
      const owner = parseId(customerId, 'customerId')
      const data = parseInput(paymentMethodSchema, input)
      const now = at(new Date())
      const row = toPaymentMethodRow(uuidv7(), owner, data, now)
      const saved = await ctx.write(async (trx): Promise<PaymentMethodRow> => {
        await lockCustomer(trx, owner)
        // The (customer_id, provider, token) unique index decides whether the method is new. ON CONFLICT
        // DO NOTHING (INSERT IGNORE on MySQL) never fails the statement, so pg's transaction stays usable.
        await trx(t.paymentMethods).insert(row).onConflict(['customer_id', 'provider', 'token']).ignore()
        const stored: PaymentMethodRow | undefined = await trx(t.paymentMethods)
          .where({ customer_id: owner, provider: row.provider, token: row.token })
          .first()
        if (!stored) throw new NotFoundError('customer', owner)
        // Saving the same token again returns the method as it was saved, defaults included.
        if (stored.id !== row.id || !data.isDefault) return stored
        await clearDefault(trx, t.paymentMethods, 'default_for', owner, row.id, now)
        await trx(t.paymentMethods).where('id', row.id).update({ default_for: owner })
        return { ...stored, default_for: owner }
      })
      return toPaymentMethod(saved)
    },

    async removePaymentMethod(customerId, paymentMethodId) {
      await removeChild(t.paymentMethods, 'payment method', customerId, paymentMethodId)
    },

    async anonymize(id, options) {
      const customerId = parseId(id, 'id')
      const { force } = parseInput(anonymizeOptionsSchema, options ?? {}, 'options')
      return ctx.write(async (trx) => {
        const row = await lockCustomer(trx, customerId)
        // Already erased: a second call writes nothing at all.
        if (row.anonymized_at === null) await eraseCustomer(trx, ctx, row, force === true)
        return requireCustomer(trx, customerId)
      })
    },
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return groups
}
