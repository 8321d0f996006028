import { beforeAll, describe, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type ValidationError } from '../src/index.js'
import { tableNames } from '../src/schema/tables.js'
import { describeEachDatabase } from './support/databases.js'

const tables = tableNames('checkout_')

describeEachDatabase('customers.create', (db, name) => {
  let store: CheckoutStore

  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  async function customerCount(): Promise<number> {
    const [row] = await db().knex(tables.customers).count({ n: '*' })
    return Number(row?.n)
  }

  it('stores a customer and returns it as read back later', async () => {
    const before = Date.now()
    const ada = await store.customers.create({
      email: '  Ada@Example.com ',
      name: 'Ada Lovelace',
      phone: '+44 20 7946 0958',
      metadata: { source: 'newsletter' },
    })
    expect(ada).toMatchObject({
      email: 'Ada@Example.com',
      name: 'Ada Lovelace',
      phone: '+44 20 7946 0958',
      metadata: { source: 'newsletter' },
      version: 1,
      anonymizedAt: null,
      addresses: [],
      paymentMethods: [],
    })
    expect(ada.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(ada.createdAt).toBeInstanceOf(Date)
    expect(ada.createdAt.getTime()).toBeGreaterThanOrEqual(before)
    expect(ada.updatedAt.getTime()).toBe(ada.createdAt.getTime())
    expect(await store.customers.get(ada.id)).toEqual(ada)
  })

  it('defaults optional fields to null and metadata to {}', async () => {
    const c = await store.customers.create({ email: 'minimal@example.com' })
    expect(c).toMatchObject({ name: null, phone: null, metadata: {}, version: 1 })
    expect(await store.customers.get(c.id)).toEqual(c)
  })

  it('rejects a second customer with the same email in any case', async () => {
    await store.customers.create({ email: 'grace@example.com' })
    const count = await customerCount()
    await expect(store.customers.create({ email: 'GRACE@Example.COM' })).rejects.toMatchObject({
      code: 'DUPLICATE_EMAIL',
    })
    expect(await customerCount()).toBe(count)
  })

  it('lets exactly one of several concurrent creates with one email win', async () => {
    // Servers: separate Knex pools, so separate connections race. SQLite: stores over the one Knex
    // instance (an in-memory database exists on one connection only, and better-sqlite3's synchronous
    // busy wait would stall this process's other pools until the busy timeout).
    const racers =
      name === 'sqlite-memory' || name === 'sqlite-file'
        ? Array.from({ length: 6 }, () => createCheckoutStore(db().knex))
        : Array.from({ length: 6 }, () => createCheckoutStore(db().connect({ min: 0, max: 2 })))
    const results = await Promise.allSettled(
      racers.map((s, i) =>
        s.customers.create({ email: i % 2 ? 'RACE@example.com' : 'race@EXAMPLE.com', name: `r${i}` }),
      ),
    )
    const won = results.filter((r) => r.status === 'fulfilled')
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(won).toHaveLength(1)
    expect(lost).toHaveLength(5)
    for (const r of lost) expect(r.reason).toMatchObject({ code: 'DUPLICATE_EMAIL' })
    const rows = await db().knex(tables.customers).where('email_normalized', 'race@example.com')
    expect(rows).toHaveLength(1)
  })

  it('inside store.transaction, a duplicate email leaves the transaction usable', async () => {
    await store.customers.create({ email: 'dup-tx@example.com' })
    const id = await store.transaction(async (tx) => {
      // On pg a failed statement aborts the transaction; the store's savepoint keeps it usable.
      await expect(tx.customers.create({ email: 'DUP-TX@example.com' })).rejects.toMatchObject({
        code: 'DUPLICATE_EMAIL',
      })
      return (await tx.customers.create({ email: 'after-dup@example.com' })).id
    })
    expect((await store.customers.get(id)).email).toBe('after-dup@example.com')
  })

  describe('invalid input is refused and nothing is written', () => {
    it.each([
      ['no email', {}, 'email'],
      ['not an email', { email: 'ada at example' }, 'email'],
      ['email too long', { email: `${'a'.repeat(320)}@example.com` }, 'email'],
      ['name too long', { email: 'long@example.com', name: 'x'.repeat(201) }, 'name'],
      ['empty name', { email: 'empty@example.com', name: '' }, 'name'],
      ['bad phone', { email: 'phone@example.com', phone: 'call me' }, 'phone'],
      ['nested metadata', { email: 'meta@example.com', metadata: { a: { b: 'c' } } }, 'metadata.a'],
      ['unknown field', { email: 'x@example.com', nickname: 'x' }, ''],
    ])('%s', async (_label, input, path) => {
      const count = await customerCount()
      const error = (await store.customers.create(input as never).catch((e: unknown) => e)) as ValidationError
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED' })
      expect(error.issues.map((i) => i.path)).toContain(path)
      expect(await customerCount()).toBe(count)
    })

    it('rejects a non-object input', async () => {
      await expect(store.customers.create(null as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    })

    it('rejects card data in metadata without echoing it', async () => {
      const count = await customerCount()
      const error = await store.customers
        .create({ email: 'card@example.com', metadata: { note: 'card 4242 4242 4242 4242' } })
        .catch((e: unknown) => e as Error)
      expect(error).toMatchObject({ code: 'CARD_DATA_REJECTED' })
      expect((error as Error).message).not.toContain('4242 4242')
      await expect(
        store.customers.create({ email: 'cvc@example.com', metadata: { cvc: '123' } }),
      ).rejects.toMatchObject({ code: 'CARD_DATA_REJECTED' })
      expect(await customerCount()).toBe(count)
    })
  })
})
