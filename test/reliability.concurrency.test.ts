import type { Knex } from 'knex'
import { beforeAll, expect, it } from 'vitest'
import {
  type CheckoutStore,
  createCheckoutStore,
  type Order,
  type OrderInput,
  type OrderStatus,
} from '../src/index.js'
import { type DatabaseName, describeEachDatabase } from './support/databases.js'
import { countRows } from './support/rows.js'

/*
 * Concurrency at volume: many callers at once, spread over several Knex pools as several servers would
 * be, against one database. Each test works under a table prefix of its own, so counts and order numbers
 * start from scratch. Transient errors are provoked for real and must be retried inside the library;
 * other errors must not be.
 */

/** Settles every promise and splits the outcomes. */
async function settle<T>(promises: Promise<T>[]) {
  const results = await Promise.allSettled(promises)
  const values = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []))
  return { values, errors }
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
}

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

/** Collects the driver errors `db` reports while `fn` runs (Knex's 'query-error' event). */
async function recordQueryErrors<R>(
  db: Knex,
  fn: () => Promise<R>,
): Promise<{ result: R; errors: unknown[] }> {
  const errors: unknown[] = []
  const listener = (error: unknown) => errors.push(error)
  db.on('query-error', listener)
  try {
    return { result: await fn(), errors }
  } finally {
    db.off('query-error', listener)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `probe` until it returns a value, for at most `attempts` × 20 ms. */
async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, attempts = 250): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const found = await probe()
    if (found !== undefined) return found
    await sleep(20)
  }
  throw new Error(`gave up waiting for ${what}`)
}

describeEachDatabase('reliability: concurrency', (db, name: DatabaseName) => {
  // Four pools as four servers would have them. Every in-memory SQLite connection is a database of its
  // own, so there all callers share the one pool.
  let pools: Knex[]
  beforeAll(() => {
    pools =
      name === 'sqlite-memory' ? [db().knex] : [db().knex, ...[1, 2, 3].map(() => db().connect({ max: 5 }))]
  })

  /** A store per pool under `prefix`, migrated. Caller `i` uses `stores[i % stores.length]`. */
  async function storesUnder(prefix: string): Promise<CheckoutStore[]> {
    const stores = pools.map((pool) => createCheckoutStore(pool, { tablePrefix: prefix }))
    await stores[0]?.migrate()
    return stores
  }
  const pick = (stores: CheckoutStore[], i: number): CheckoutStore =>
    stores[i % stores.length] as CheckoutStore

  it('100 concurrent customer creates over 10 emails: exactly 10 customers and 90 DUPLICATE_EMAIL', async () => {
    const stores = await storesUnder('cc_')
    // The same ten addresses in three spellings: uniqueness ignores case.
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
    expect(errors).toHaveLength(90)
    expect(errors.map(codeOf)).toEqual(Array(90).fill('DUPLICATE_EMAIL'))
    // One winner per address, and it is the customer stored under it.
    const winners = new Map(values.map((c) => [c.email.toLowerCase(), c]))
    expect([...winners.keys()].sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `shopper.${i}@example.com`),
    )
    for (const [email, customer] of winners) {
      expect(await pick(stores, 1).customers.findByEmail(email)).toEqual(customer)
    }
    expect((await countRows(db().knex, 'cc_')).customers).toBe(10)
  })

  it('50 concurrent creates with one idempotency key: one order, and all 50 callers receive it', async () => {
    const stores = await storesUnder('ci_')
    const input = guestOrder('idem')
    const { values, errors } = await settle(
      Array.from({ length: 50 }, (_, i) =>
        pick(stores, i).orders.create(input, { idempotencyKey: 'checkout-7f3a' }),
      ),
    )
    expect(errors).toEqual([])
    expect(values).toHaveLength(50)
    const first = values[0] as Order
    expect(new Set(values.map((o) => o.id))).toEqual(new Set([first.id]))
    expect(first.number).toBe(1001)
    for (const order of values) expect(order).toEqual(first)
    expect(await pick(stores, 2).orders.get(first.id)).toEqual(first)
    const counts = await countRows(db().knex, 'ci_')
    expect(counts).toMatchObject({
      orders: 1,
      orderLines: 2,
      orderEvents: 1,
      idempotencyKeys: 1,
      orderNumber: 1001,
    })
  })

  it('50 concurrent transitions of one order towards paid and cancelled: exactly one wins', async () => {
    const stores = await storesUnder('ct_')
    const order = await pick(stores, 0).orders.create(guestOrder('race'))
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

    const winner = values[0] as Order
    const stored = await pick(stores, 3).orders.get(order.id)
    expect(stored).toEqual(winner)
    expect(stored.version).toBe(2)
    expect(['paid', 'cancelled']).toContain(stored.status)
    const events = await pick(stores, 1).orders.events(order.id)
    expect(events.map((e) => [e.type, e.from, e.to])).toEqual([
      ['order_placed', null, 'pending'],
      ['status_changed', 'pending', stored.status],
    ])
    expect((await countRows(db().knex, 'ct_')).orderEvents).toBe(2)
  })

  it('200 concurrent distinct orders: 200 rows numbered 1001..1200, increasing with commit order', async () => {
    const stores = await storesUnder('cn_')
    // The first hundred start at once; each of the second hundred starts when its partner of the first
    // hundred has committed, so it must get a larger number.
    const firstWave = Array.from({ length: 100 }, (_, i) => pick(stores, i).orders.create(guestOrder(i)))
    const secondWave = firstWave.map((partner, i) =>
      partner.then(
        () => pick(stores, i + 1).orders.create(guestOrder(100 + i)),
        () => pick(stores, i + 1).orders.create(guestOrder(100 + i)),
      ),
    )
    const { values, errors } = await settle([...firstWave, ...secondWave])
    expect(errors).toEqual([])
    expect(values).toHaveLength(200)
    const numbers = values.map((o) => o.number)
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => 1001 + i))
    for (let i = 0; i < 100; i++) {
      expect(numbers[100 + i]).toBeGreaterThan(numbers[i] as number)
    }
    expect(new Set(values.map((o) => o.id)).size).toBe(200)
    const counts = await countRows(db().knex, 'cn_')
    expect(counts).toMatchObject({ orders: 200, orderLines: 400, orderEvents: 200, orderNumber: 1200 })
    const found = await pick(stores, 2).orders.findByNumber(1200)
    expect(found).toEqual(values.find((o) => o.number === 1200))
  })

  it('does not retry an error that is not transient: a duplicate email is inserted once', async () => {
    const [store] = await storesUnder('nt_')
    if (!store) throw new Error('no store')
    await store.customers.create({ email: 'once@example.com' })
    const statements: string[] = []
    const listener = (query: { sql: string }) => statements.push(query.sql)
    db().knex.on('query', listener)
    try {
      await expect(store.customers.create({ email: 'ONCE@example.com' })).rejects.toMatchObject({
        code: 'DUPLICATE_EMAIL',
      })
    } finally {
      db().knex.off('query', listener)
    }
    expect(statements.filter((sql) => /^insert into [`"]?nt_customers/i.test(sql.trim()))).toHaveLength(1)
    expect((await countRows(db().knex, 'nt_')).customers).toBe(1)
  })

  if (name === 'sqlite-file') {
    it('retries a write that meets SQLITE_BUSY while another connection holds the write lock', async () => {
      await storesUnder('busy_')
      // The store's pool waits only 20 ms for a lock, so the held lock makes its write fail with SQLITE_BUSY.
      const pool = db().connect({
        min: 0,
        max: 2,
        afterCreate(
          conn: { pragma(sql: string): unknown },
          done: (err: Error | null, conn: unknown) => void,
        ) {
          conn.pragma('foreign_keys = ON')
          conn.pragma('busy_timeout = 20')
          done(null, conn)
        },
      })
      const store = createCheckoutStore(pool, { tablePrefix: 'busy_' })
      // Another connection, outside the store, takes the database's write lock and holds it for 250 ms.
      const holder = db().connect({ min: 0, max: 1 })
      const raw = (await holder.client.acquireConnection()) as { exec(sql: string): unknown }
      raw.exec('BEGIN IMMEDIATE')
      const released = sleep(250).then(() => {
        raw.exec('COMMIT')
        holder.client.releaseConnection(raw)
      })

      const { result, errors } = await recordQueryErrors(pool, () =>
        store.customers.create({ email: 'busy@example.com' }),
      )
      await released
      expect(errors.map(codeOf)).toContain('SQLITE_BUSY')
      expect(errors.map(codeOf).every((code) => code === 'SQLITE_BUSY')).toBe(true)
      expect(await store.customers.get(result.id)).toEqual(result)
      expect((await countRows(db().knex, 'busy_')).customers).toBe(1)
    })
  }

  if (name === 'mysql') {
    it('retries a create that hits a lock wait timeout (1205) while another transaction holds the counter', async () => {
      await storesUnder('lwt_')
      const pool = db().connect({
        min: 0,
        max: 2,
        afterCreate(
          conn: { query(sql: string, cb: (err: Error | null) => void): void },
          done: (err: Error | null, conn: unknown) => void,
        ) {
          conn.query('set session innodb_lock_wait_timeout = 1', (err) => done(err, conn))
        },
      })
      const store = createCheckoutStore(pool, { tablePrefix: 'lwt_' })
      // Another session locks the order number counter and keeps it for 1.5 s: the store's first attempt
      // gives up after 1 s with 1205, a retry gets through once the lock is released.
      const holder = await db().knex.transaction()
      await holder('lwt_counters').where({ name: 'order_number' }).forUpdate().select('value')
      const released = sleep(1500).then(() => holder.commit())

      const { result, errors } = await recordQueryErrors(pool, () => store.orders.create(guestOrder('lwt')))
      await released
      expect(errors.map((e) => (e as { errno?: unknown }).errno)).toContain(1205)
      expect(result.number).toBe(1001)
      expect(await store.orders.get(result.id)).toEqual(result)
      expect(await countRows(db().knex, 'lwt_')).toMatchObject({ orders: 1, orderLines: 2, orderEvents: 1 })
    })
  }

  if (name === 'postgresql') {
    it('retries a create that a real deadlock (40P01) aborted', async () => {
      await storesUnder('dl_')
      const store = createCheckoutStore(pools[1] as Knex, { tablePrefix: 'dl_' })
      // The host's transaction takes the orders table first, then the counter row: the opposite order of
      // a create (counter row, then the orders table). Its deadlock_timeout is long, so the deadlock is
      // found by the store's session, whose transaction is aborted and must be run again.
      const holder = await db().knex.transaction()
      await holder.raw("set local deadlock_timeout = '30s'")
      await holder.raw('lock table dl_orders in access exclusive mode')

      const { result, errors } = await recordQueryErrors(pools[1] as Knex, async () => {
        const creating = store.orders.create(guestOrder('deadlock'))
        // Once the create holds the counter row and waits for the orders table, ask for the counter row.
        await waitFor(async () => {
          const { rows } = (await db().knex.raw(
            `select pid from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into "dl_orders"%'`,
          )) as { rows: Array<{ pid: number }> }
          return rows[0]
        }, 'the create to wait for the orders table')
        const holderDone = holder('dl_counters')
          .where({ name: 'order_number' })
          .update({ value: holder.raw('value') })
          .then(() => holder.commit())
        const order = await creating
        await holderDone
        return order
      })
      expect(errors.map(codeOf)).toContain('40P01')
      expect(result.number).toBe(1001)
      expect(await store.orders.get(result.id)).toEqual(result)
      expect(await countRows(db().knex, 'dl_')).toMatchObject({ orders: 1, orderLines: 2, orderEvents: 1 })
    })
  }
})
