import knex, { type Knex } from 'knex'
import { afterEach, beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { countRows } from './support/rows.js'

const opened: Knex[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((k) => k.destroy()))
})

it('refuses to write on SQLite when foreign keys are off on the connection, and writes nothing', async () => {
  const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true })
  opened.push(db)
  const store = createCheckoutStore(db)
  await store.migrate()
  // better-sqlite3 builds SQLite with foreign keys on by default; a host's pool can still turn them off.
  await db.raw('pragma foreign_keys = OFF')
  await expect(store.customers.create({ email: 'ada@example.com' })).rejects.toMatchObject({
    code: 'CONFIGURATION_INVALID',
    message: expect.stringContaining('foreign_keys = ON'),
  })
  expect(await db('checkout_customers').count({ n: '*' })).toEqual([{ n: 0 }])
  // Turned on (as a pool's afterCreate would), the same store writes.
  await db.raw('pragma foreign_keys = ON')
  await expect(store.customers.create({ email: 'ada@example.com' })).resolves.toMatchObject({ version: 1 })
})

describeEachDatabase("a store bound to the host's transaction", (db) => {
  let base: CheckoutStore
  beforeAll(async () => {
    base = createCheckoutStore(db().knex, { tablePrefix: 'hosted_' })
    await base.migrate()
  })

  it("commits and rolls back with the host's transaction", async () => {
    await db()
      .knex.transaction(async (trx) => {
        const store = createCheckoutStore(trx, { tablePrefix: 'hosted_' })
        await store.customers.create({ email: 'rolled-back@example.com' })
        throw new Error('host gives up')
      })
      .catch(() => undefined)
    expect(await base.customers.findByEmail('rolled-back@example.com')).toBeNull()

    await db().knex.transaction(async (trx) => {
      await createCheckoutStore(trx, { tablePrefix: 'hosted_' }).customers.create({
        email: 'kept@example.com',
      })
    })
    expect(await base.customers.findByEmail('kept@example.com')).not.toBeNull()
  })

  it("leaves the host's transaction usable after a failed call (a savepoint, not an aborted transaction)", async () => {
    await base.customers.create({ email: 'taken@example.com' })
    const before = await countRows(db().knex, 'hosted_')
    await db().knex.transaction(async (trx) => {
      const store = createCheckoutStore(trx, { tablePrefix: 'hosted_' })
      await expect(store.customers.create({ email: 'TAKEN@example.com' })).rejects.toMatchObject({
        code: 'DUPLICATE_EMAIL',
      })
      // On PostgreSQL this statement would fail if the unique violation had aborted the transaction.
      await store.customers.create({ email: 'after-the-failure@example.com' })
    })
    const after = await countRows(db().knex, 'hosted_')
    expect(after).toEqual({ ...before, customers: before.customers + 1 })
  })
})
