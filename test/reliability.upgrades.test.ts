import type { Knex } from 'knex'
import { expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { SAMPLE_ADDRESS, SAMPLE_CARD, sampleCustomer, sampleOrder } from './support/checkout-data.js'
import { describeEachDatabase } from './support/databases.js'
import { indexColumns, listTables, MIGRATIONS } from './support/introspect.js'

/*
 * Upgrades: a database last migrated by a release that shipped only 0001 gets 0002 from store.migrate(),
 * and the data written before reads back the same; rolling the library back leaves the host alone.
 */

async function logNames(db: Knex, table: string): Promise<string[]> {
  const rows: Array<{ name: string }> = await db(table).select('name').orderBy('id')
  return rows.map((r) => r.name)
}

/** Everything a shop would read back about one customer and their order. */
async function snapshot(store: CheckoutStore, customerId: string, orderId: string) {
  return {
    customer: await store.customers.get(customerId),
    byEmail: await store.customers.findByEmail(sampleCustomer('upgrade').email.toUpperCase()),
    customers: await store.customers.list({ limit: 10 }),
    order: await store.orders.get(orderId),
    orders: await store.orders.list({ customerId, limit: 10 }),
    events: await store.orders.events(orderId),
  }
}

describeEachDatabase('reliability: upgrades', (db) => {
  it('applies the later migrations over data in the 0001 schema, and the data reads back identical', async () => {
    const knex = db().knex
    const store = createCheckoutStore(knex, { tablePrefix: 'up_' })
    const source = { migrationSource: store.migrationSource, tableName: 'up_migrations' }

    // The data is written by today's code, which needs today's schema; then every later migration is
    // reverted with the public migration source, one by one, which leaves the 0001 schema with the data
    // in it: the state a release that shipped only 0001 left behind.
    await store.migrate()
    const ada = await store.customers.create(sampleCustomer('upgrade'))
    await store.customers.addAddress(ada.id, SAMPLE_ADDRESS)
    const first = await store.customers.addPaymentMethod(ada.id, SAMPLE_CARD)
    const second = await store.customers.addPaymentMethod(ada.id, {
      ...SAMPLE_CARD,
      token: 'pm_second',
      last4: '0005',
    })
    const order = await store.orders.create(sampleOrder(ada.id), { idempotencyKey: 'upgrade-1' })
    await store.orders.transition(order.id, 'paid', { expectedVersion: 1, note: 'captured' })
    while ((await logNames(knex, 'up_migrations')).length > 1) await knex.migrate.down(source)
    expect(await logNames(knex, 'up_migrations')).toEqual(['0001-initial'])
    expect(await indexColumns(knex, 'up_payment_methods', 'up_payment_methods_customer_idx')).toEqual([])
    const before = await snapshot(store, ada.id, order.id)
    expect(before.customer.paymentMethods.map((m) => m.id)).toEqual([first.id, second.id])

    expect(await store.migrate()).toEqual(MIGRATIONS.slice(1))
    expect(await logNames(knex, 'up_migrations')).toEqual(MIGRATIONS)
    expect(await indexColumns(knex, 'up_payment_methods', 'up_payment_methods_customer_idx')).toEqual([
      'customer_id',
      'created_at',
      'id',
    ])
    expect(await store.migrate()).toEqual([])

    const after = await snapshot(store, ada.id, order.id)
    expect(after).toEqual(before)

    // Still writable through the new index, and the idempotency key written before still holds.
    const third = await store.customers.addPaymentMethod(ada.id, {
      ...SAMPLE_CARD,
      token: 'pm_third',
      last4: '0006',
    })
    expect((await store.customers.get(ada.id)).paymentMethods.map((m) => m.id)).toEqual([
      first.id,
      second.id,
      third.id,
    ])
    expect((await store.orders.create(sampleOrder(ada.id), { idempotencyKey: 'upgrade-1' })).id).toBe(
      order.id,
    )
  })

  it('reverts 0002 alone through the migration source, keeping the data, and store.migrate() re-applies it', async () => {
    const knex = db().knex
    const store = createCheckoutStore(knex, { tablePrefix: 'down_' })
    const config = { migrationSource: store.migrationSource, tableName: 'down_migrations' }
    expect(await store.migrate()).toEqual(MIGRATIONS)
    const ada = await store.customers.create(sampleCustomer('downgrade'))
    await store.customers.addPaymentMethod(ada.id, SAMPLE_CARD)
    const before = await store.customers.get(ada.id)

    // Down to what a release that shipped only 0001 had, one migration at a time, newest first.
    for (let left = MIGRATIONS.length; left > 1; left--) await knex.migrate.down(config)
    expect(await logNames(knex, 'down_migrations')).toEqual(['0001-initial'])
    expect(await indexColumns(knex, 'down_payment_methods', 'down_payment_methods_customer_idx')).toEqual([])
    expect(await store.customers.get(ada.id)).toEqual(before)

    expect(await store.migrate()).toEqual(MIGRATIONS.slice(1))
    expect(await store.customers.get(ada.id)).toEqual(before)
    expect(await store.rollback()).toEqual([...MIGRATIONS].reverse())
    expect((await listTables(knex)).filter((t) => t.startsWith('down_'))).toEqual([])
  })

  it("rolls back every library migration and never touches the host's tables, rows, indexes or log", async () => {
    const knex = db().knex
    // The host's own schema uses the same base names as the library's tables, unprefixed.
    const hostSource = {
      getMigrations: async () => ['20240101_host_shop'],
      getMigrationName: (name: string) => name,
      getMigration: async () => ({
        up: async (k: Knex) => {
          await k.schema.createTable('customers', (t) => {
            t.string('id', 36).primary()
            t.string('email', 320)
          })
          await k.schema.createTable('payment_methods', (t) => {
            t.string('id', 36).primary()
            t.string('customer_id', 36)
            t.bigInteger('created_at')
            t.index(['customer_id', 'created_at', 'id'], 'payment_methods_customer_idx')
          })
        },
        down: async (k: Knex) => {
          await k.schema.dropTable('payment_methods')
          await k.schema.dropTable('customers')
        },
      }),
    }
    await knex.migrate.latest({ migrationSource: hostSource })
    await knex('customers').insert({ id: 'host-1', email: 'host@example.com' })
    await knex('payment_methods').insert({ id: 'pm-1', customer_id: 'host-1', created_at: 1 })

    const store = createCheckoutStore(knex)
    expect(await store.migrate()).toEqual(MIGRATIONS)
    const ada = await store.customers.create(sampleCustomer('host'))
    await store.customers.addPaymentMethod(ada.id, SAMPLE_CARD)
    await store.orders.create(sampleOrder(ada.id))

    expect(await store.rollback()).toEqual([...MIGRATIONS].reverse())
    const tables = await listTables(knex)
    expect(tables.filter((t) => t.startsWith('checkout_'))).toEqual([])
    expect(tables).toEqual(
      expect.arrayContaining(['customers', 'payment_methods', 'knex_migrations', 'knex_migrations_lock']),
    )
    expect(await knex('customers').select('id', 'email')).toEqual([
      { id: 'host-1', email: 'host@example.com' },
    ])
    expect(await knex('payment_methods').select('id', 'customer_id')).toEqual([
      { id: 'pm-1', customer_id: 'host-1' },
    ])
    expect(await indexColumns(knex, 'payment_methods', 'payment_methods_customer_idx')).toEqual([
      'customer_id',
      'created_at',
      'id',
    ])
    expect(await logNames(knex, 'knex_migrations')).toEqual(['20240101_host_shop'])
    await expect(knex.migrate.latest({ migrationSource: hostSource })).resolves.toEqual([
      expect.any(Number),
      [],
    ])
  })
})
