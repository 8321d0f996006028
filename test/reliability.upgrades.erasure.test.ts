import type { Knex } from 'knex'
import { expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { SAMPLE_ADDRESS, sampleCustomer, sampleOrder } from './support/checkout-data.js'
import { describeEachDatabase } from './support/databases.js'
import { leaksOf } from './support/erasure.js'
import { listTables, MIGRATIONS } from './support/introspect.js'

/*
 * Upgrades to 0006-erasure: a database migrated up to 0003 with shop data in it gets the email history
 * from store.migrate(), the data reads back the same, and erasure then finds guest orders placed before
 * the upgrade under an email the customer changed after it. Reverting 0006 alone keeps the data.
 */

const BEFORE_ERASURE = MIGRATIONS.slice(0, MIGRATIONS.indexOf('0006-erasure'))

async function logNames(db: Knex, table: string): Promise<string[]> {
  const rows: Array<{ name: string }> = await db(table).select('name').orderBy('id')
  return rows.map((r) => r.name)
}

async function snapshot(store: CheckoutStore, customerId: string, orderIds: readonly string[]) {
  return {
    customer: await store.customers.get(customerId),
    orders: await Promise.all(orderIds.map((id) => store.orders.get(id))),
    events: await Promise.all(orderIds.map((id) => store.orders.events(id))),
    list: await store.orders.list({ limit: 10 }),
  }
}

describeEachDatabase('reliability: upgrade to 0006-erasure', (db) => {
  it('applies 0006 over data written before it; erasure then reaches guest orders placed before it', async () => {
    const knex = db().knex
    const store = createCheckoutStore(knex, { tablePrefix: 'er_' })
    const config = { migrationSource: store.migrationSource, tableName: 'er_migrations' }
    for (const _ of BEFORE_ERASURE) await knex.migrate.up(config)
    expect(await logNames(knex, 'er_migrations')).toEqual(BEFORE_ERASURE)
    expect(await listTables(knex)).not.toContain('er_customer_emails')

    const customer = sampleCustomer('erasure-upgrade')
    const ada = await store.customers.create(customer)
    await store.customers.addAddress(ada.id, SAMPLE_ADDRESS)
    const own = await store.orders.create(sampleOrder(ada.id), { idempotencyKey: `order-${customer.email}` })
    const guest = await store.orders.create({ ...sampleOrder(), email: customer.email.toUpperCase() })
    await store.orders.transition(own.id, 'paid', { actor: `customer:${customer.email}` })
    const before = await snapshot(store, ada.id, [own.id, guest.id])

    expect(await store.migrate()).toEqual(MIGRATIONS.slice(BEFORE_ERASURE.length))
    expect(await logNames(knex, 'er_migrations')).toEqual(MIGRATIONS)
    expect(await knex('er_customer_emails').select('*')).toEqual([])
    expect(await snapshot(store, ada.id, [own.id, guest.id])).toEqual(before)

    // Changed after the upgrade: the email the guest order was placed under is kept, then erased.
    await store.customers.update(ada.id, { email: 'ada.new@example.com' })
    expect(await knex('er_customer_emails').select('email_normalized')).toEqual([
      { email_normalized: customer.email.toLowerCase() },
    ])
    await store.customers.anonymize(ada.id, { force: true })
    const placeholder = `${ada.id}@anonymized.invalid`
    expect(await store.orders.get(guest.id)).toMatchObject({ email: placeholder })
    expect(await store.orders.get(own.id)).toMatchObject({ email: placeholder })
    expect((await store.orders.events(own.id)).map((e) => e.actor)).toEqual([null, placeholder])
    expect(await knex('er_customer_emails').select('*')).toEqual([])
    expect(await leaksOf(knex, [customer.email, 'ada.new@example.com', 'Lovelace'], 'er_')).toEqual([])
  })

  it('reverts 0006 alone, keeping the data, and store.migrate() re-applies it', async () => {
    const knex = db().knex
    const store = createCheckoutStore(knex, { tablePrefix: 'ed_' })
    const config = { migrationSource: store.migrationSource, tableName: 'ed_migrations' }
    expect(await store.migrate()).toEqual(MIGRATIONS)
    const ada = await store.customers.create(sampleCustomer('erasure-downgrade'))
    await store.customers.update(ada.id, { email: 'ada.moved@example.com' })
    const order = await store.orders.create(sampleOrder(ada.id))
    const before = await snapshot(store, ada.id, [order.id])

    for (let left = MIGRATIONS.length; left > BEFORE_ERASURE.length; left--) await knex.migrate.down(config)
    expect(await logNames(knex, 'ed_migrations')).toEqual(BEFORE_ERASURE)
    expect(await listTables(knex)).not.toContain('ed_customer_emails')
    expect(await snapshot(store, ada.id, [order.id])).toEqual(before)

    expect(await store.migrate()).toEqual(MIGRATIONS.slice(BEFORE_ERASURE.length))
    expect(await snapshot(store, ada.id, [order.id])).toEqual(before)
    expect(await store.rollback()).toEqual([...MIGRATIONS].reverse())
    expect((await listTables(knex)).filter((t) => t.startsWith('ed_'))).toEqual([])
  })
})
