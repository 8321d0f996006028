import type { Knex } from 'knex'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCheckoutStore, type OrderInput } from '../../src/index.js'
import { countRows } from '../support/rows.js'
import { createReplicatedDatabase, type ReplicatedDatabase } from './clusters.js'

/*
 * A PostgreSQL primary with a streaming hot standby as the store's reader: plain reads go to the replica
 * once it has replayed this store's writes, so a read after a write never misses it.
 */

function guestOrder(tag: string | number): OrderInput {
  return {
    email: `guest-${tag}@example.com`,
    currency: 'EUR',
    items: [{ sku: 'TEE-BLUE-M', name: 'Blue tee', quantity: 2, unitPrice: 1999 }],
  }
}

/** Counts the SELECTs on the store's tables that `db` runs (Knex's 'query' event), honestly per pool. */
function countSelects(db: Knex, prefix: string): { readonly count: number } {
  const seen = { count: 0 }
  db.on('query', (query: { sql: string }) => {
    if (/^select\b/i.test(query.sql.trim()) && query.sql.includes(`"${prefix}`)) seen.count++
  })
  return seen
}

describe('scale-out: PostgreSQL primary with a streaming replica as reader', () => {
  let database: ReplicatedDatabase
  let primary: Knex
  let replica: Knex
  beforeAll(async () => {
    database = await createReplicatedDatabase()
    primary = database.primary()
    replica = database.replica()
    await createCheckoutStore(primary).migrate()
  })
  afterAll(async () => {
    await database?.destroy()
  })

  it('200 × create then get through a store with a reader: no miss, and most reads served by the replica', async () => {
    const store = createCheckoutStore(primary, { reader: replica })
    const onPrimary = countSelects(primary, 'checkout_order')
    const onReplica = countSelects(replica, 'checkout_order')
    let misses = 0
    for (let i = 0; i < 200; i++) {
      const order = await store.orders.create(guestOrder(i))
      const read = await store.orders.find(order.id)
      if (read === null) misses++
      else expect(read).toEqual(order)
    }
    expect(misses).toBe(0)
    // find() is one select of the order and one of its lines, on whichever server the router chose.
    const reads = onPrimary.count + onReplica.count
    console.info(`[pg reader] 200 create-then-get: ${onReplica.count} of ${reads} order reads on the replica`)
    expect(reads).toBe(400)
    expect(onReplica.count).toBeGreaterThan(reads / 2)
  })

  it('50 concurrent create-then-read pairs: every read sees the create before it', async () => {
    // Each read waits for the writes of the store that ended before it, whoever made them.
    const store = createCheckoutStore(primary, { reader: replica })
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const order = await store.orders.create(guestOrder(`c-${i}`))
        const [byId, byNumber, events] = await Promise.all([
          store.orders.find(order.id),
          store.orders.findByNumber(order.number),
          store.orders.events(order.id),
        ])
        return byId?.id === order.id && byNumber?.id === order.id && events.length === 1
      }),
    )
    expect(results.filter((ok) => !ok)).toEqual([])
  })

  it('customers: create, then findByEmail and list through the reader see the new customer', async () => {
    const store = createCheckoutStore(primary, { reader: replica })
    for (let i = 0; i < 20; i++) {
      const customer = await store.customers.create({ email: `reader-${i}@example.com` })
      expect(await store.customers.findByEmail(`reader-${i}@example.com`)).toEqual(customer)
      const page = await store.customers.list({ limit: 1 })
      expect(page.items[0]?.id).toBe(customer.id)
    }
  })

  it('transitions read the order on the primary: a transition right after a create never finds it missing', async () => {
    const store = createCheckoutStore(primary, { reader: replica })
    for (let i = 0; i < 20; i++) {
      const order = await store.orders.create(guestOrder(`t-${i}`))
      const paid = await store.orders.transition(order.id, 'paid')
      expect(paid.version).toBe(2)
      expect((await store.orders.get(order.id)).status).toBe('paid')
    }
  })

  it('a store over the standby refuses writes and migrate() with CONFIGURATION_INVALID, writing nothing', async () => {
    const store = createCheckoutStore(replica)
    const before = await countRows(primary)
    await expect(store.orders.create(guestOrder('standby'))).rejects.toMatchObject({
      code: 'CONFIGURATION_INVALID',
    })
    await expect(store.customers.create({ email: 'standby@example.com' })).rejects.toMatchObject({
      code: 'CONFIGURATION_INVALID',
    })
    await expect(store.migrate()).rejects.toMatchObject({ code: 'CONFIGURATION_INVALID' })
    expect(await countRows(primary)).toEqual(before)
  })

  it('a read-only session on the primary refuses writes with CONFIGURATION_INVALID', async () => {
    const readOnly = database.primary({
      afterCreate(
        conn: { query(sql: string, cb: (err: Error | null) => void): void },
        done: (err: Error | null, conn: unknown) => void,
      ) {
        conn.query('set session default_transaction_read_only = on', (err) => done(err, conn))
      },
    })
    const store = createCheckoutStore(readOnly)
    await expect(store.orders.create(guestOrder('ro'))).rejects.toMatchObject({
      code: 'CONFIGURATION_INVALID',
    })
  })
})
