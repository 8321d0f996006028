import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type Order, type OrderStatus } from '../src/index.js'
import { canTransition } from '../src/orders/order-status.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder, item, orderTableState } from './support/orders.js'
import { separateStores } from './support/stores.js'

const CALLERS = 20

describeEachDatabase('orders.concurrency', (db, name) => {
  let store: CheckoutStore
  let separate: CheckoutStore[]
  beforeAll(async () => {
    if (name === 'sqlite-file') {
      // Several pools writing one file, as a host with several processes would: WAL, so that another
      // connection's read lock can never make a writer's COMMIT fail with SQLITE_BUSY (rollback-journal
      // mode needs an exclusive lock to commit, and busy_timeout 0 would not wait for it).
      await db().knex.raw('pragma journal_mode = WAL')
    }
    store = createCheckoutStore(db().knex)
    await store.migrate()
    separate = separateStores(db(), name, CALLERS)
  })
  const settle = <T>(calls: Promise<T>[]) => Promise.allSettled(calls)
  const rejectedCodes = (results: PromiseSettledResult<unknown>[]) =>
    results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r.reason as { code?: string }).code ?? String(r.reason))

  for (const mode of ['one pool', 'separate pools'] as const) {
    const stores = (): CheckoutStore[] =>
      mode === 'one pool' ? Array.from({ length: CALLERS }, () => store) : separate

    it(`hands out unique, consecutive numbers to ${CALLERS} concurrent creates (${mode})`, async () => {
      const before = await orderTableState(db().knex)
      const orders = await Promise.all(
        stores().map((s, i) => s.orders.create(guestOrder({ note: `caller ${i}` }))),
      )
      const numbers = orders.map((o) => o.number).sort((a, b) => a - b)
      expect(numbers).toEqual(Array.from({ length: CALLERS }, (_, i) => before.counterValue + 1 + i))
      const after = await orderTableState(db().knex)
      expect(after.orders).toBe(before.orders + CALLERS)
      expect(after.counterValue).toBe(before.counterValue + CALLERS)
    })

    it(`gives ${CALLERS} concurrent creates with one idempotency key one order (${mode})`, async () => {
      const before = await orderTableState(db().knex)
      const key = `race-${mode}`
      const input = guestOrder({ items: [item(), item({ sku: 'B' })] })
      const results = await settle(stores().map((s) => s.orders.create(input, { idempotencyKey: key })))
      expect(rejectedCodes(results)).toEqual([])
      const orders = results.map((r) => (r as PromiseFulfilledResult<Order>).value)
      expect(new Set(orders.map((o) => o.id)).size).toBe(1)
      for (const order of orders) expect(order).toEqual(orders[0])
      const after = await orderTableState(db().knex)
      expect(after).toEqual({
        ...before,
        orders: before.orders + 1,
        lines: before.lines + 2,
        events: before.events + 1,
        keys: before.keys + 1,
        counterValue: before.counterValue + 1,
      })
    })

    it(`lets exactly one of several transitions with the same expectedVersion win (${mode})`, async () => {
      const order = await store.orders.create(guestOrder())
      const targets = stores().slice(0, 8)
      const results = await settle(
        targets.map((s, i) =>
          s.orders.transition(order.id, i % 2 ? 'paid' : 'cancelled', { expectedVersion: 1, actor: `c${i}` }),
        ),
      )
      const won = results.filter((r) => r.status === 'fulfilled')
      expect(won).toHaveLength(1)
      const final = await store.orders.get(order.id)
      expect(final.version).toBe(2)
      // A loser that read before the winner committed matched no row (VERSION_CONFLICT); one that read
      // after is judged by the state rules first, so it may get INVALID_TRANSITION instead.
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') return
        const to: OrderStatus = i % 2 ? 'paid' : 'cancelled'
        const allowed = canTransition(final.status, to)
          ? ['VERSION_CONFLICT']
          : ['VERSION_CONFLICT', 'INVALID_TRANSITION']
        expect(allowed).toContain((result.reason as { code?: string }).code)
      })
      const events = await store.orders.events(order.id)
      expect(events).toHaveLength(2)
      expect(events[1]).toMatchObject({ from: 'pending', to: final.status })
    })

    it(`applies the state rules to racing transitions without expectedVersion (${mode})`, async () => {
      const order = await store.orders.create(guestOrder())
      const targets = stores().slice(0, 8)
      const results = await settle(targets.map((s) => s.orders.transition(order.id, 'cancelled')))
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      expect(rejectedCodes(results)).toEqual(Array(targets.length - 1).fill('INVALID_TRANSITION'))
      expect(await store.orders.events(order.id)).toHaveLength(2)
      expect(await store.orders.get(order.id)).toMatchObject({ status: 'cancelled', version: 2 })
    })
  }
})
