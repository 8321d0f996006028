import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { DuplicateEmailError, NotFoundError, VersionConflictError } from '../errors.js'
import * as drafts from '../outbox/drafts.js'
import { advanceSequence, appendOutboxEvents, type OutboxSequenceSource } from '../outbox/outbox-writer.js'
import { isUniqueViolation } from '../sql/driver-errors.js'
import { decodeCursor, newestFirstAfter, splitPage } from '../sql/keyset.js'
import { driverCause } from '../sql/translate-error.js'
import { type DbDate, fromDbDate, fromDbInt, toDbDate } from '../sql/values.js'
import type { StoreContext } from '../store-context.js'
import { expectedVersionSchema, normalizeEmail, storableString } from '../text.js'
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
  toCustomerRow,
  toMetadataColumn,
  toPaymentMethod,
  toPaymentMethodRow,
} from './customer-row.js'
import { recordReplacedEmail } from './email-history.js'
import { exportCustomer } from './export.js'
import { paymentMethodSchema } from './payment-method.js'
import { findSameAddress } from './same-address.js'

// findByEmail looks up any string: one that is not an email address simply matches nobody.
const emailLookupSchema = storableString(320)

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

  /** Appends one event of this customer to the outbox, last in the write's transaction. */
  const emit = (trx: Knex.Transaction, event: drafts.Draft, sequences: OutboxSequenceSource = 'bump') =>
    appendOutboxEvents(trx, ctx.dialect, t, [event], sequences)
  /** A change to the customer's addresses or payment methods is a `customer.updated` event. */
  const emitChildChange = (trx: Knex.Transaction, locked: CustomerRow, changed: drafts.CustomerChange) =>
    emit(trx, drafts.customerUpdated(locked.id, fromDbInt(locked.version), [changed], new Date()))

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
    throw new VersionConflictError(entity, id, expectedVersion, fromDbInt(row.version))
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
      const locked = await lockCustomer(trx, customerId)
      // Scoped to the customer: another customer's address or method is NOT_FOUND, never deleted.
      const deleted = await trx(table).where({ id, customer_id: customerId }).del()
      if (deleted === 0) throw new NotFoundError(entity, id)
      await emitChildChange(trx, locked, entity === 'address' ? 'addresses' : 'paymentMethods')
    })
  }

  /**
   * After a unique violation on the email, outside the failed write (on pg it aborted the transaction):
   * names the customer who has the email. Rethrows `error` if that customer is gone by now.
   */
  async function throwDuplicateEmail(emailNormalized: string, error: unknown): Promise<never> {
    const holder: { id: string } | undefined = await ctx
      .db(t.customers)
      .where('email_normalized', emailNormalized)
      .first('id')
    if (!holder) throw error
    throw new DuplicateEmailError(holder.id, driverCause(error))
  }

  return {
    async create(input) {
      const now = new Date()
      const row = toCustomerRow(uuidv7(), parseInput(customerInputSchema, input), at(now))
      // The unique index on email_normalized decides, so two concurrent creates cannot both pass a
      // read-then-insert check.
      try {
        await ctx.write(async (trx) => {
          await trx(t.customers).insert(row)
          await emit(trx, drafts.customerCreated(row.id, now), 'new')
        })
      } catch (error) {
        if (isUniqueViolation(error)) await throwDuplicateEmail(row.email_normalized, error)
        throw error
      }
      return toCustomer(row, [], [])
    },

    async findOrCreate(input) {
      const now = new Date()
      const row = toCustomerRow(uuidv7(), parseInput(customerInputSchema, input), at(now))
      // Most calls find the customer: a plain read, no transaction.
      const found = await readCustomer(ctx.db, 'email_normalized', row.email_normalized)
      if (found) return { customer: found, created: false }
      return ctx.write(async (trx) => {
        // ON CONFLICT DO NOTHING (INSERT IGNORE on MySQL) waits for a concurrent insert of the same email
        // to commit, then does nothing, without failing the statement (pg's transaction stays usable);
        // the read after it sees whichever row won. So of N racing callers one inserts, all get its row.
        await trx(t.customers).insert(row).onConflict(['email_normalized']).ignore()
        const customer = await readCustomer(trx, 'email_normalized', row.email_normalized)
        if (!customer) throw new NotFoundError('customer', row.id)
        const created = customer.id === row.id
        if (created) await emit(trx, drafts.customerCreated(row.id, now), 'new')
        return { customer, created }
      })
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
          throw new VersionConflictError('customer', customerId, expectedVersion, current.version)
        }
        return current
      }
      try {
        return await ctx.write(async (trx) => {
          // A new email: lock the row to know the one it replaces, which erasure must still find. Two
          // concurrent changes take turns, so no email that was ever current is missed.
          const before =
            changes.email_normalized === undefined ? undefined : await lockCustomer(trx, customerId)
          const date = new Date()
          const now = at(date)
          // Conditional UPDATE: the version check and the write are one statement, so two writers with
          // the same expectedVersion cannot both succeed.
          const query = trx(t.customers).where('id', customerId)
          if (expectedVersion !== undefined) query.andWhere('version', expectedVersion)
          const updated = await query.update({
            ...changes,
            version: bumpVersion(trx),
            updated_at: now,
            ...advanceSequence(trx), // the outbox counter, for the event below
          })
          if (updated === 0) {
            await explainMiss(trx, t.customers, { id: customerId }, 'customer', customerId, expectedVersion)
          }
          if (
            before &&
            before.email_normalized !== changes.email_normalized &&
            before.anonymized_at === null
          ) {
            await recordReplacedEmail(trx, t.customerEmails, customerId, before.email_normalized, now)
          }
          const customer = await requireCustomer(trx, customerId)
          const changed = (['email', 'name', 'phone', 'metadata'] as const).filter(
            (k) => data[k] !== undefined,
          )
          await emit(trx, drafts.customerUpdated(customerId, customer.version, changed, date), 'bumped')
          return customer
        })
      } catch (error) {
        if (isUniqueViolation(error) && changes.email_normalized !== undefined) {
          await throwDuplicateEmail(changes.email_normalized, error)
        }
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
      const saved = await ctx.write(async (trx): Promise<AddressRow> => {
        // The customer's row lock makes the look-up for an equal address and the insert one step.
        const locked = await lockCustomer(trx, owner)
        const same = await findSameAddress(trx, t.addresses, row)
        const target = same ?? row
        const wantsShipping = row.default_shipping_for !== null && same?.default_shipping_for === null
        const wantsBilling = row.default_billing_for !== null && same?.default_billing_for === null
        // The unique default_*_for columns allow one default each: clear the old one first.
        if (same ? wantsShipping : row.default_shipping_for)
          await clearDefault(trx, t.addresses, 'default_shipping_for', owner, target.id, now)
        if (same ? wantsBilling : row.default_billing_for)
          await clearDefault(trx, t.addresses, 'default_billing_for', owner, target.id, now)
        if (!same) {
          await trx(t.addresses).insert(row)
          await emitChildChange(trx, locked, 'addresses')
          return row
        }
        // The same address again: the saved one is the answer, made a default if this call asks so.
        if (!wantsShipping && !wantsBilling) return same
        const changes: Partial<AddressRow> = {}
        if (wantsShipping) changes.default_shipping_for = owner
        if (wantsBilling) changes.default_billing_for = owner
        await trx(t.addresses)
          .where('id', same.id)
          .update({ ...changes, version: bumpVersion(trx), updated_at: now })
        await emitChildChange(trx, locked, 'addresses')
        return { ...same, ...changes, version: fromDbInt(same.version) + 1, updated_at: now }
      })
      return toAddress(saved)
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
          throw new VersionConflictError('address', id, expectedVersion, current.version)
        }
        return current
      }
      return ctx.write(async (trx) => {
        const locked = await lockCustomer(trx, owner)
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
        await emitChildChange(trx, locked, 'addresses')
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
        const locked = await lockCustomer(trx, owner)
        // The (customer_id, provider, token) unique index decides whether the method is new. ON CONFLICT
        // DO NOTHING (INSERT IGNORE on MySQL) never fails the statement, so pg's transaction stays usable.
        await trx(t.paymentMethods).insert(row).onConflict(['customer_id', 'provider', 'token']).ignore()
        const stored: PaymentMethodRow | undefined = await trx(t.paymentMethods)
          .where({ customer_id: owner, provider: row.provider, token: row.token })
          .first()
        if (!stored) throw new NotFoundError('customer', owner)
        // Saving the same token again returns the method as it was saved, defaults included, and
        // changes nothing, so it is no event either.
        if (stored.id !== row.id) return stored
        if (data.isDefault) {
          await clearDefault(trx, t.paymentMethods, 'default_for', owner, row.id, now)
          await trx(t.paymentMethods).where('id', row.id).update({ default_for: owner })
        }
        await emitChildChange(trx, locked, 'paymentMethods')
        return data.isDefault ? { ...stored, default_for: owner } : stored
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
        if (row.anonymized_at === null) {
          await eraseCustomer(trx, ctx, row, force === true)
          await emit(trx, drafts.customerAnonymized(customerId, new Date()))
        }
        return requireCustomer(trx, customerId)
      })
    },

    async export(id) {
      return exportCustomer(ctx, parseId(id, 'id'))
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
