import { afterAll, beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder, item } from './support/orders.js'

/*
 * The store runs its statements on the driver connection Knex lends, prepared once per connection. What a
 * host relies on must not change with that: every statement is observable through Knex's events, a
 * failing one reaches `query-error`, and a table changed under a prepared statement keeps working.
 */
describeEachDatabase('store statements', (db, name) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex, { tablePrefix: 'st_' })
    await store.migrate()
  })

  it("emits Knex's query and query-response events for every statement, with the SQL and the values", async () => {
    const queries: Array<{ sql: string; bindings: readonly unknown[]; uid: unknown }> = []
    const responses: unknown[] = []
    const onQuery = (q: { sql: string; bindings: readonly unknown[]; __knexUid: unknown }) =>
      queries.push({ sql: q.sql, bindings: q.bindings, uid: q.__knexUid })
    const onResponse = (response: unknown) => responses.push(response)
    db().knex.on('query', onQuery).on('query-response', onResponse)
    try {
      const order = await store.orders.create(guestOrder({ email: 'events@example.com' }))
      queries.length = 0
      responses.length = 0
      const read = await store.orders.get(order.id)
      expect(read.id).toBe(order.id)
      // The order, then its lines: both statements seen, each with the order's id bound.
      expect(queries).toHaveLength(2)
      expect(queries.map((q) => q.bindings)).toEqual([[order.id], [order.id]])
      expect(queries[0]?.sql).toMatch(/st_orders/)
      expect(queries[1]?.sql).toMatch(/st_order_lines/)
      // Knex's connection id is on the event, as Knex's own statements carry it.
      expect(queries.every((q) => q.uid !== undefined)).toBe(true)
      expect(responses).toHaveLength(2)
    } finally {
      db().knex.off('query', onQuery).off('query-response', onResponse)
    }
  })

  it('emits query-error for a failing statement, and the call still fails with a typed error', async () => {
    const errors: unknown[] = []
    const onError = (error: unknown) => errors.push(error)
    db().knex.on('query-error', onError)
    try {
      // A customer id that does not exist fails on the store's own read, not on a statement: use a table
      // the store has not migrated.
      const bare = createCheckoutStore(db().knex, { tablePrefix: 'st_missing_' })
      await expect(bare.orders.get('0190a000-0000-7000-8000-000000000001')).rejects.toMatchObject({
        code: 'CONFIGURATION_INVALID',
      })
      expect(errors.length).toBeGreaterThan(0)
    } finally {
      db().knex.off('query-error', onError)
    }
  })

  it('keeps reading and writing orders after a column is added to a table it already prepared statements on', async () => {
    // One connection, so the statements prepared before the change are the ones used after it (an
    // in-memory database is its one connection already).
    const own = name !== 'sqlite-memory'
    const knex = own ? db().connect({ min: 1, max: 1 }) : db().knex
    const single = createCheckoutStore(knex, { tablePrefix: 'st_' })
    try {
      const before = await single.orders.create(guestOrder({ items: [item(), item()] }))
      expect((await single.orders.get(before.id)).items).toHaveLength(2)
      await knex.schema.alterTable('st_orders', (t) => t.string('host_note'))
      await knex.schema.alterTable('st_order_lines', (t) => t.string('host_note'))
      // The same statements again, on the same connection, over the changed tables.
      expect((await single.orders.get(before.id)).items).toHaveLength(2)
      const after = await single.orders.create(guestOrder())
      expect((await single.orders.transition(after.id, 'paid')).status).toBe('paid')
      expect((await single.orders.get(after.id)).status).toBe('paid')
      // Money and goods read the changed order row inside their transactions.
      const placed = await single.orders.create(guestOrder({ items: [item({ quantity: 2 })] }))
      const payment = await single.payments.authorize(placed.id, {
        provider: 'stripe',
        reference: 'pi_statements',
        amount: placed.total,
        capture: true,
      })
      expect(payment.capturedAmount).toBe(placed.total)
      const parcel = await single.fulfillments.create(placed.id)
      expect((await single.fulfillments.ship(parcel.id, { carrier: 'UPS' })).status).toBe('shipped')
      expect((await single.orders.get(placed.id)).status).toBe('shipped')
    } finally {
      if (own) await knex.destroy()
    }
  })

  it('refuses a statement on a transaction that has finished, as Knex does, rather than run it on a pooled connection', async () => {
    const order = await store.orders.create(guestOrder())
    let leaked: Parameters<Parameters<CheckoutStore['transaction']>[0]>[0] | undefined
    await store.transaction(async (tx) => {
      leaked = tx
      expect((await tx.orders.get(order.id)).id).toBe(order.id)
    })
    await expect(leaked?.orders.get(order.id)).rejects.toMatchObject({ code: 'DATABASE_ERROR' })
    await expect(leaked?.orders.transition(order.id, 'paid')).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
    })
    expect((await store.orders.get(order.id)).status).toBe('pending')
  })

  it('prepares statements once per connection on PostgreSQL, and not with preparedStatements: false', async () => {
    // Tables of their own: the schema change above left the texts on st_ tables unprepared for good.
    await createCheckoutStore(db().knex, { tablePrefix: 'stp_' }).migrate()
    for (const prepared of [true, false]) {
      // One connection, so the session this reads is the one the store used.
      const own = name !== 'sqlite-memory'
      const knex = own ? db().connect({ min: 1, max: 1 }) : db().knex
      try {
        const one = createCheckoutStore(knex, { tablePrefix: 'stp_', preparedStatements: prepared })
        const order = await one.orders.create(guestOrder())
        expect((await one.orders.get(order.id)).id).toBe(order.id)
        if (name === 'postgresql') {
          const { rows } = (await knex.raw(
            "select count(*)::int as n from pg_prepared_statements where name like 'checkout_store_%'",
          )) as { rows: Array<{ n: number }> }
          if (prepared) expect(rows[0]?.n).toBeGreaterThanOrEqual(4)
          else expect(rows[0]?.n).toBe(0)
        }
      } finally {
        if (own) await knex.destroy()
      }
    }
    expect(() => createCheckoutStore(db().knex, { preparedStatements: 'no' as unknown as boolean })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    )
  })

  afterAll(async () => {
    await createCheckoutStore(db().knex, { tablePrefix: 'stp_' }).rollback()
    await store.rollback()
  })
})
