import { beforeAll, describe, expect, it } from 'vitest'
import { CheckoutStoreError, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { LIBRARY_TABLES, listTables, MIGRATIONS } from './support/introspect.js'

/** The library's migrations, oldest first, as the log records them. */

const withPrefix = (prefix: string) => LIBRARY_TABLES.map((t) => prefix + t).sort()

describe('createCheckoutStore options', () => {
  it.each(['', 'bad prefix', 'quote"d', "it's", 'drop;', '1abc', 'a'.repeat(21), 'naïve_'])(
    'rejects the table prefix %j with VALIDATION_FAILED',
    async (tablePrefix) => {
      const { default: knex } = await import('knex')
      const db = knex({
        client: 'better-sqlite3',
        connection: { filename: ':memory:' },
        useNullAsDefault: true,
      })
      try {
        expect(() => createCheckoutStore(db, { tablePrefix })).toThrow(
          expect.objectContaining({
            code: 'VALIDATION_FAILED',
            issues: [expect.objectContaining({ path: 'tablePrefix' })],
          }),
        )
      } finally {
        await db.destroy()
      }
    },
  )

  it('rejects a Knex client it does not support with CONFIGURATION_INVALID', async () => {
    const { default: knex } = await import('knex')
    const db = knex({ client: 'mssql' })
    try {
      expect(() => createCheckoutStore(db)).toThrow(CheckoutStoreError)
      expect(() => createCheckoutStore(db)).toThrow(
        expect.objectContaining({ code: 'CONFIGURATION_INVALID' }),
      )
    } finally {
      await db.destroy()
    }
  })
})

describeEachDatabase('migrations', (db, name) => {
  it('migrates to latest, again as a no-op, rolls back to nothing and migrates again', async () => {
    const store = createCheckoutStore(db().knex, { tablePrefix: 'cycle_' })
    expect(await store.migrate()).toEqual(MIGRATIONS)
    expect((await listTables(db().knex)).filter((t) => t.startsWith('cycle_'))).toEqual(withPrefix('cycle_'))

    expect(await store.migrate()).toEqual([])

    expect(await store.rollback()).toEqual([...MIGRATIONS].reverse())
    expect((await listTables(db().knex)).filter((t) => t.startsWith('cycle_'))).toEqual([])
    expect(await store.rollback()).toEqual([])

    expect(await store.migrate()).toEqual(MIGRATIONS)
    expect((await listTables(db().knex)).filter((t) => t.startsWith('cycle_'))).toEqual(withPrefix('cycle_'))
    await store.rollback()
  })

  it("lives beside the host's own migrations and tables, and its rollback leaves them alone", async () => {
    const knex = db().knex
    const hostSource = {
      getMigrations: async () => ['20240101_host_products'],
      getMigrationName: (name: string) => name,
      getMigration: async () => ({
        up: (k: typeof knex) =>
          k.schema.createTable('products', (t) => {
            t.increments('id')
            t.string('sku')
          }),
        down: (k: typeof knex) => k.schema.dropTable('products'),
      }),
    }
    await knex.migrate.latest({ migrationSource: hostSource })
    await knex('products').insert({ sku: 'TEE-BLUE-M' })

    const store = createCheckoutStore(knex)
    await store.migrate()
    // Knex's migrator finds nothing of ours in knex_migrations, so it neither re-runs nor calls it corrupt.
    await expect(knex.migrate.latest({ migrationSource: hostSource })).resolves.toEqual([
      expect.any(Number),
      [],
    ])
    expect(await knex.migrate.currentVersion({ migrationSource: hostSource })).toBe('20240101')

    await store.rollback()
    const tables = await listTables(knex)
    expect(tables).toEqual(expect.arrayContaining(['products', 'knex_migrations', 'knex_migrations_lock']))
    expect(tables.filter((t) => t.startsWith('checkout_'))).toEqual([])
    expect(await knex('products').select('sku')).toEqual([{ sku: 'TEE-BLUE-M' }])
    const hostLog: Array<{ name: string }> = await knex('knex_migrations').select('name')
    expect(hostLog.map((r) => r.name)).toEqual(['20240101_host_products'])
  })

  it('keeps two stores with different prefixes side by side', async () => {
    const a = createCheckoutStore(db().knex, { tablePrefix: 'shop_a_' })
    const b = createCheckoutStore(db().knex, { tablePrefix: 'shop_b_' })
    await a.migrate()
    await b.migrate()
    const tables = await listTables(db().knex)
    expect(tables.filter((t) => t.startsWith('shop_a_'))).toEqual(withPrefix('shop_a_'))
    expect(tables.filter((t) => t.startsWith('shop_b_'))).toEqual(withPrefix('shop_b_'))
    await a.rollback()
    expect((await listTables(db().knex)).filter((t) => t.startsWith('shop_b_'))).toEqual(
      withPrefix('shop_b_'),
    )
    await b.rollback()
  })

  it("runs in a host's own Knex pipeline through store.migrationSource", async () => {
    const knex = db().knex
    const store = createCheckoutStore(knex, { tablePrefix: 'piped_' })
    const config = { migrationSource: store.migrationSource, tableName: 'piped_log' }
    const [, applied] = (await knex.migrate.latest(config)) as [number, string[]]
    expect(applied).toEqual(MIGRATIONS)
    expect(await listTables(knex)).toEqual(
      expect.arrayContaining(['piped_orders', 'piped_customers', 'piped_log']),
    )
    await knex.migrate.rollback(config, true)
    expect(
      (await listTables(knex)).filter(
        (t) => t.startsWith('piped_') && t !== 'piped_log' && t !== 'piped_log_lock',
      ),
    ).toEqual([])
  })

  describe('concurrent migrate()', () => {
    beforeAll(async () => {
      await createCheckoutStore(db().knex, { tablePrefix: 'race_' }).rollback()
    })

    it('lets several pools migrate at once: all succeed and the log records each migration once', async () => {
      // Every in-memory SQLite connection is a database of its own: there, three stores share one pool.
      const pools =
        name === 'sqlite-memory'
          ? [db().knex, db().knex, db().knex]
          : [db().connect(), db().connect(), db().connect()]
      const results = await Promise.all(
        pools.map((k) => createCheckoutStore(k, { tablePrefix: 'race_' }).migrate()),
      )
      expect(results.flat()).toEqual(MIGRATIONS)
      const log: Array<{ name: string }> = await db().knex('race_migrations').select('name').orderBy('id')
      expect(log.map((r) => r.name)).toEqual(MIGRATIONS)
    })
  })
})
