import type { Knex } from 'knex'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CheckoutStore,
  createCheckoutStore,
  type Order,
  type OrderInput,
  type OrderStatus,
} from '../../src/index.js'
import { MIGRATIONS } from '../support/introspect.js'
import { countRows } from '../support/rows.js'
import { createGaleraDatabase, type GaleraDatabase } from './clusters.js'

/*
 * Writers on all three nodes of a MariaDB Galera cluster: today's concurrency tests, spread over the
 * nodes. Writer pools keep Galera's default (wsrep_sync_wait = 0, reads may lag other nodes); results
 * are checked through causal pools, as a host would read them.
 */

async function settle<T>(promises: Promise<T>[]) {
  const results = await Promise.allSettled(promises)
  const values = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []))
  return { values, errors }
}

const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined

function guestOrder(tag: string | number): OrderInput {
  return {
    email: `guest-${tag}@example.com`,
    currency: 'EUR',
    items: [
      { sku: 'TEE-BLUE-M', name: 'Blue tee', attributes: { size: 'M' }, quantity: 2, unitPrice: 1999 },
      { sku: 'CAP-RED', name: 'Red cap', quantity: 1, unitPrice: 1250 },
    ],
    shippingTotal: 500,
  }
}

/** Counts the certification conflicts and deadlocks (1213) the driver reports on `pools`. */
function countConflicts(pools: readonly Knex[]): { readonly count: number } {
  const seen = { count: 0 }
  for (const pool of pools) {
    pool.on('query-error', (error: { errno?: unknown }) => {
      if (error.errno === 1213) seen.count++
    })
  }
  return seen
}

describe('scale-out: MariaDB Galera, writers on three nodes', () => {
  let cluster: GaleraDatabase
  let writers: Knex[]
  let checker: Knex
  beforeAll(async () => {
    cluster = await createGaleraDatabase()
    writers = [0, 1, 2].map((node) => cluster.connect(node))
    checker = cluster.causal(1)
  })
  afterAll(async () => {
    await cluster?.destroy()
  })

  /** A store per node under `prefix`, migrated from every node at once. */
  async function storesUnder(prefix: string): Promise<CheckoutStore[]> {
    const stores = writers.map((pool) => createCheckoutStore(pool, { tablePrefix: prefix }))
    await Promise.all(stores.map((store) => store.migrate()))
    return stores
  }
  const pick = (stores: CheckoutStore[], i: number) => stores[i % stores.length] as CheckoutStore
  const checking = (prefix: string) => createCheckoutStore(checker, { tablePrefix: prefix })

  it('migrate() called on all three nodes at once succeeds everywhere and applies each migration once', async () => {
    const stores = writers.map((pool) => createCheckoutStore(pool, { tablePrefix: 'mg_' }))
    const applied = await Promise.all(stores.map((store) => store.migrate()))
    // One node applied everything; the others found nothing left to do.
    const names = applied.flat()
    expect(new Set(names).size).toBe(names.length)
    expect(applied.filter((list) => list.length > 0)).toHaveLength(1)
    const log = (await checker('mg_migrations').select('name').orderBy('id')) as Array<{ name: string }>
    expect(log.map((r) => r.name)).toEqual(names)
    // And the schema works from every node.
    const orders = await Promise.all(stores.map((store, i) => store.orders.create(guestOrder(`mg-${i}`))))
    expect(new Set(orders.map((o) => o.number)).size).toBe(3)
  })

  it('a migration whose DDL another node applied without logging it completes instead of failing', async () => {
    const stores = await storesUnder('cv_')
    // As if a migrating node died after the step and before the log: the step is there, the log is not.
    await checker('cv_migrations')
      .whereIn('name', ['0002-payment-methods-by-customer', '0003-payments'])
      .delete()
    const applied = await Promise.all(stores.map((store) => store.migrate()))
    expect(applied.flat().sort()).toEqual(['0002-payment-methods-by-customer', '0003-payments'])
    const log = (await checker('cv_migrations').select('name')) as Array<{ name: string }>
    expect(log.map((row) => row.name).sort()).toEqual([...MIGRATIONS].sort())
  })

  it('100 concurrent customer creates over 10 emails on three nodes: exactly 10 customers and 90 DUPLICATE_EMAIL', async () => {
    const stores = await storesUnder('cc_')
    const spell = (i: number) => {
      const email = `Shopper.${i % 10}@Example.com`
      return [email, email.toLowerCase(), email.toUpperCase()][i % 3] as string
    }
    const { values, errors } = await settle(
      Array.from({ length: 100 }, (_, i) =>
        pick(stores, i).customers.create({ email: spell(i), name: `caller ${i}` }),
      ),
    )
    expect(values).toHaveLength(10)
    expect(errors.map(codeOf)).toEqual(Array(90).fill('DUPLICATE_EMAIL'))
    const winners = new Map(values.map((c) => [c.email.toLowerCase(), c]))
    expect(winners.size).toBe(10)
    for (const [email, customer] of winners) {
      expect(await checking('cc_').customers.findByEmail(email)).toEqual(customer)
    }
    expect((await countRows(checker, 'cc_')).customers).toBe(10)
  })

  it('50 concurrent creates with one idempotency key on three nodes: one order, and all 50 callers receive it', async () => {
    const stores = await storesUnder('ci_')
    const { values, errors } = await settle(
      Array.from({ length: 50 }, (_, i) =>
        pick(stores, i).orders.create(guestOrder('idem'), { idempotencyKey: 'checkout-7f3a' }),
      ),
    )
    expect(errors).toEqual([])
    const first = values[0] as Order
    for (const order of values) expect(order).toEqual(first)
    expect(await checking('ci_').orders.get(first.id)).toEqual(first)
    expect(await countRows(checker, 'ci_')).toMatchObject({
      orders: 1,
      orderLines: 2,
      orderEvents: 1,
      idempotencyKeys: 1,
    })
  })

  it('50 concurrent transitions of one order on three nodes: exactly one wins', async () => {
    const stores = await storesUnder('ct_')
    const order = await pick(stores, 0).orders.create(guestOrder('race'))
    // Every node has the order before the race starts.
    await checking('ct_').orders.get(order.id)
    const targets = Array.from({ length: 50 }, (_, i): OrderStatus => (i % 2 === 0 ? 'paid' : 'cancelled'))
    const { values, errors } = await settle(
      targets.map((to, i) =>
        pick(stores, i).orders.transition(order.id, to, {
          expectedVersion: order.version,
          note: `caller ${i}`,
        }),
      ),
    )
    expect(values).toHaveLength(1)
    expect(errors).toHaveLength(49)
    for (const error of errors) expect(['VERSION_CONFLICT', 'INVALID_TRANSITION']).toContain(codeOf(error))
    const stored = await checking('ct_').orders.get(order.id)
    expect(stored).toEqual(values[0])
    expect(stored.version).toBe(2)
    const events = await checking('ct_').orders.events(order.id)
    expect(events.map((e) => [e.type, e.from, e.to])).toEqual([
      ['order_placed', null, 'pending'],
      ['status_changed', 'pending', stored.status],
    ])
  })

  it('300 concurrent creates spread over three nodes: no caller error, 300 unique numbers', async () => {
    const stores = await storesUnder('cn_')
    const conflicts = countConflicts(writers)
    const { values, errors } = await settle(
      Array.from({ length: 300 }, (_, i) => pick(stores, i).orders.create(guestOrder(i))),
    )
    expect(errors).toEqual([])
    expect(values).toHaveLength(300)
    expect(new Set(values.map((o) => o.number)).size).toBe(300)
    expect(new Set(values.map((o) => o.id)).size).toBe(300)
    expect(await countRows(checker, 'cn_')).toMatchObject({ orders: 300, orderLines: 600, orderEvents: 300 })
    console.info(
      `[galera] 300 creates over 3 nodes: ${conflicts.count} conflicts (1213) retried inside the store`,
    )
    const last = values.reduce((a, b) => (a.number > b.number ? a : b))
    expect(await checking('cn_').orders.findByNumber(last.number)).toEqual(last)
  })

  it('numbers increase in commit order on each node', async () => {
    const stores = await storesUnder('np_')
    for (const store of stores) {
      const numbers: number[] = []
      for (let i = 0; i < 5; i++) numbers.push((await store.orders.create(guestOrder(`np-${i}`))).number)
      expect([...numbers].sort((a, b) => a - b)).toEqual(numbers)
      expect(new Set(numbers).size).toBe(5)
    }
  })

  it('a store over a node in read_only refuses writes and migrate() with CONFIGURATION_INVALID', async () => {
    await storesUnder('ro_')
    const admin = cluster.connect(2, { min: 0, max: 1 })
    await admin.raw('set global read_only = 1')
    try {
      const store = createCheckoutStore(cluster.connect(2), { tablePrefix: 'ro_' })
      await expect(store.orders.create(guestOrder('ro'))).rejects.toMatchObject({
        code: 'CONFIGURATION_INVALID',
      })
      await expect(store.migrate()).rejects.toMatchObject({ code: 'CONFIGURATION_INVALID' })
    } finally {
      await admin.raw('set global read_only = 0')
    }
    expect((await countRows(checker, 'ro_')).orders).toBe(0)
  })

  it('a reader on another node with wsrep_sync_wait = 1 serves reads that never miss a write', async () => {
    const [store0] = await storesUnder('rr_')
    if (!store0) throw new Error('no store')
    const reader = cluster.causal(2)
    let readerSelects = 0
    reader.on('query', (q: { sql: string }) => {
      if (/^select/i.test(q.sql)) readerSelects++
    })
    const store = createCheckoutStore(writers[0] as Knex, { tablePrefix: 'rr_', reader })
    let misses = 0
    for (let i = 0; i < 50; i++) {
      const order = await store.orders.create(guestOrder(`rr-${i}`))
      if ((await store.orders.find(order.id)) === null) misses++
    }
    expect(misses).toBe(0)
    expect(readerSelects).toBeGreaterThanOrEqual(50)
  })
})
