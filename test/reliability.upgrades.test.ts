import type { Knex } from 'knex'
import { expect, it } from 'vitest'
import { createCheckoutStore, type Order, type OrderInput } from '../src/index.js'
import { requestHash } from '../src/orders/idempotency.js'
import { parseOrderInput } from '../src/orders/order-input.js'
import { buildOrderRows, orderFromRows } from '../src/orders/order-writer.js'
import { type Tables, tableNames } from '../src/schema/tables.js'
import { detectDialect } from '../src/sql/dialect.js'
import { toDbDate } from '../src/sql/values.js'
import { SAMPLE_ADDRESS, SAMPLE_CARD, sampleCustomer, sampleOrder } from './support/checkout-data.js'
import { describeEachDatabase } from './support/databases.js'
import { indexColumns, listTables, MIGRATIONS } from './support/introspect.js'

/*
 * Upgrades: a database last migrated by a release that shipped only 0001 gets the later migrations from
 * store.migrate(), and the data written before reads back the same; rolling the library back leaves the
 * host alone.
 */

async function logNames(db: Knex, table: string): Promise<string[]> {
  const rows: Array<{ name: string }> = await db(table).select('name').orderBy('id')
  return rows.map((r) => r.name)
}

let legacyNumber = 5000

/**
 * Writes an order as a release that shipped only 0001 and 0002 did: the order, its lines, its first event
 * and its idempotency key, without the columns 0003 adds.
 *
 * @returns The order as it should read back after 0003, line shares allocated.
 */
async function insertLegacyOrder(db: Knex, tables: Tables, input: OrderInput, key?: string): Promise<Order> {
  const dialect = detectDialect(db)
  const valid = parseOrderInput(input)
  const customer = input.customerId
    ? ((await db(tables.customers).where({ id: input.customerId }).first()) as { email: string })
    : undefined
  const now = new Date()
  legacyNumber += 1
  const rows = buildOrderRows(valid, legacyNumber, input.email ?? customer?.email ?? '', now, dialect)
  const order = await olderRows(db, tables.orders, [rows.order])
  await db(tables.orders).insert(order)
  await db(tables.orderLines).insert(await olderRows(db, tables.orderLines, rows.lines))
  await db(tables.orderEvents).insert(await olderRows(db, tables.orderEvents, [rows.placed]))
  if (key) {
    await db(tables.idempotencyKeys).insert({
      key,
      request_hash: requestHash(valid.input),
      order_id: rows.order.id,
      created_at: toDbDate(dialect, now),
    })
  }
  return orderFromRows(rows, valid, now)
}

/** `rows` with only the columns `table` has: rows of today's shape, as an older schema holds them. */
async function olderRows<R extends object>(
  db: Knex,
  table: string,
  rows: readonly R[],
): Promise<Partial<R>[]> {
  const columns = Object.keys(await db(table).columnInfo())
  return rows.map((row) => pick(row as Record<string, unknown>, columns) as Partial<R>)
}

/** Copies the rows of `from`'s tables into `to`'s, keeping only the columns `to`'s older schema has. */
async function copyIntoOlderSchema(
  db: Knex,
  from: Tables,
  to: Tables,
  keys: ReadonlyArray<'customers' | 'addresses' | 'paymentMethods'>,
): Promise<void> {
  for (const key of keys) {
    const rows = (await db(from[key]).select('*').orderBy('id')) as Record<string, unknown>[]
    if (rows.length > 0) await db(to[key]).insert(await olderRows(db, to[key], rows))
  }
}

/** Every row of every table 0001 created, in a stable order. */
async function rawRows(db: Knex, tables: Tables): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {}
  for (const table of [
    tables.customers,
    tables.addresses,
    tables.paymentMethods,
    tables.orders,
    tables.orderLines,
    tables.orderEvents,
    tables.idempotencyKeys,
    tables.counters,
  ]) {
    out[table] = await db(table)
      .select('*')
      .orderBy(table === tables.idempotencyKeys ? 'key' : table === tables.counters ? 'name' : 'id')
  }
  return out
}

function pick(row: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, row[k]]))
}

describeEachDatabase('reliability: upgrades', (db) => {
  it('applies 0002 and 0003 over data written under 0001 only: every old column reads back identical', async () => {
    const knex = db().knex
    const store = createCheckoutStore(knex, { tablePrefix: 'up_' })
    const tables = tableNames('up_')

    // The state a release that shipped only 0001 left behind, made with the public migration source:
    // Knex's migrator runs exactly the first migration and logs it in the library's log table.
    await knex.migrate.up({ migrationSource: store.migrationSource, tableName: 'up_migrations' })
    expect(await logNames(knex, 'up_migrations')).toEqual(['0001-initial'])
    expect(await indexColumns(knex, 'up_payment_methods', 'up_payment_methods_customer_idx')).toEqual([])
    expect(await indexColumns(knex, 'up_idempotency_keys', 'up_idempotency_keys_created_idx')).toEqual([])

    // Customers as that release wrote them: written by today's code under another prefix, then copied
    // with only the columns 0001 has.
    const today = createCheckoutStore(knex, { tablePrefix: 'now_' })
    await today.migrate()
    const ada = await today.customers.create(sampleCustomer('upgrade'))
    await today.customers.addAddress(ada.id, SAMPLE_ADDRESS)
    const first = await today.customers.addPaymentMethod(ada.id, SAMPLE_CARD)
    const second = await today.customers.addPaymentMethod(ada.id, {
      ...SAMPLE_CARD,
      token: 'pm_second',
      last4: '0005',
    })
    await copyIntoOlderSchema(knex, tableNames('now_'), tables, ['customers', 'addresses', 'paymentMethods'])
    // Orders as that release wrote them: the same rows, without the columns 0003 adds.
    const order = await insertLegacyOrder(knex, tables, sampleOrder(ada.id), 'upgrade-1')
    const guest = await insertLegacyOrder(knex, tables, { ...sampleOrder(), taxTotal: 7, discountTotal: 3 })
    await knex(tables.orders).where({ id: order.id }).update({ status: 'paid', version: 2 })
    const before = await rawRows(knex, tables)
    const customerBefore = await store.customers.get(ada.id)
    expect(customerBefore.paymentMethods.map((m) => m.id)).toEqual([first.id, second.id])

    expect(await store.migrate()).toEqual(MIGRATIONS.slice(1))
    expect(await logNames(knex, 'up_migrations')).toEqual(MIGRATIONS)
    expect(await indexColumns(knex, 'up_payment_methods', 'up_payment_methods_customer_idx')).toEqual([
      'customer_id',
      'created_at',
      'id',
    ])
    expect(await indexColumns(knex, 'up_orders', 'up_orders_payment_status_idx')).toEqual([
      'payment_status',
      'created_at',
      'id',
    ])
    // 0007: the index the idempotency-key prune reads.
    expect(await indexColumns(knex, 'up_idempotency_keys', 'up_idempotency_keys_created_idx')).toEqual([
      'created_at',
    ])
    expect(await store.migrate()).toEqual([])

    // Nothing written before changed: every row, every old column, byte for byte.
    const after = await rawRows(knex, tables)
    for (const [table, rows] of Object.entries(before)) {
      const now = (after[table] ?? []).map((row, i) => pick(row, Object.keys(rows[i] ?? {})))
      expect(now, table).toEqual(rows)
    }
    expect(await store.customers.get(ada.id)).toEqual(customerBefore)

    // The new columns: no money in the ledger yet, and each line's share of tax and discount allocated
    // exactly as for a new order.
    for (const legacy of [order, guest]) {
      const read = await store.orders.get(legacy.id)
      expect(read).toMatchObject({ capturedTotal: 0, refundedTotal: 0, paymentStatus: 'unpaid' })
      expect(read.items.map((i) => i.refundedQuantity)).toEqual(read.items.map(() => 0))
      expect(read.items.map((i) => [i.taxTotal, i.discountTotal])).toEqual(
        legacy.items.map((i) => [i.taxTotal, i.discountTotal]),
      )
      expect(read.items.reduce((sum, i) => sum + i.taxTotal, 0)).toBe(read.taxTotal)
      expect(read.items.reduce((sum, i) => sum + i.discountTotal, 0)).toBe(read.discountTotal)
    }
    expect((await store.orders.get(order.id)).status).toBe('paid')

    // Still writable through the new index, the idempotency key written before still holds, and the old
    // order takes a refund by line.
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
    const sale = await store.payments.authorize(guest.id, {
      provider: 'stripe',
      reference: 'pi_legacy',
      amount: guest.total,
      capture: true,
    })
    let refunded = 0
    for (const line of guest.items) {
      const result = await store.payments.refund(sale.id, {
        items: [{ lineId: line.id, quantity: line.quantity }],
      })
      refunded = result.refundedAmount
    }
    expect(refunded).toBe(guest.total - guest.shippingTotal)
    // The key written under 0001 is pruned through the new index like any other.
    expect(await store.pruneIdempotencyKeys({ olderThan: new Date(Date.now() + 60_000) })).toBe(1)
  })

  it('applies 0004 over data written under 0001–0003, and orders read back identical, unfulfilled', async () => {
    const knex = db().knex
    const store = createCheckoutStore(knex, { tablePrefix: 'ful_' })
    const tables = tableNames('ful_')
    const config = { migrationSource: store.migrationSource, tableName: 'ful_migrations' }
    for (let i = 0; i < 3; i++) await knex.migrate.up(config)
    expect(await logNames(knex, 'ful_migrations')).toEqual(MIGRATIONS.slice(0, 3))

    // As a release that shipped 0001–0003 left them: a paid order with one of three units refunded by
    // line, and a shipped order (shipped as a whole, before fulfillments existed).
    const today = createCheckoutStore(knex, { tablePrefix: 'nowf_' })
    await today.migrate()
    const ada = await today.customers.create(sampleCustomer('fulfil'))
    await copyIntoOlderSchema(knex, tableNames('nowf_'), tables, ['customers'])
    const input = {
      ...sampleOrder(ada.id),
      items: [{ sku: 'TEE-M', name: 'Tee', attributes: { size: 'M' }, quantity: 3, unitPrice: 1999 }],
    }
    const order = await insertLegacyOrder(knex, tables, input, 'before-0004')
    const line = order.items[0]?.id as string
    await knex(tables.orders).where({ id: order.id }).update({ status: 'paid', version: 2 })
    await knex(tables.orderLines).where({ id: line }).update({ refunded_quantity: 1 })
    const shipped = await insertLegacyOrder(knex, tables, sampleOrder(ada.id))
    await knex(tables.orders).where({ id: shipped.id }).update({ status: 'shipped', version: 3 })
    const before = await rawRows(knex, tables)

    expect(await store.migrate()).toEqual(MIGRATIONS.slice(3))
    const after = await rawRows(knex, tables)
    for (const [table, rows] of Object.entries(before)) {
      const now = (after[table] ?? []).map((row, i) => pick(row, Object.keys(rows[i] ?? {})))
      expect(now, table).toEqual(rows)
    }
    expect(await store.orders.get(order.id)).toMatchObject({
      status: 'paid',
      fulfillmentStatus: 'unfulfilled',
    })
    expect(await store.orders.get(shipped.id)).toMatchObject({
      status: 'shipped',
      fulfillmentStatus: 'unfulfilled',
    })

    // The refund made before the upgrade counts: two units are left to ship, and shipping them ships the order.
    const parcel = await store.fulfillments.create(order.id)
    expect(parcel.items).toEqual([{ lineId: line, quantity: 2 }])
    await store.fulfillments.ship(parcel.id)
    expect(await store.orders.get(order.id)).toMatchObject({
      status: 'shipped',
      fulfillmentStatus: 'fulfilled',
    })
    expect((await store.orders.create(input, { idempotencyKey: 'before-0004' })).id).toBe(order.id)
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
