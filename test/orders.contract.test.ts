import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, VersionConflictError } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder, item, T } from './support/orders.js'

describeEachDatabase('orders contract: stale versions, negative zero', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('gives VERSION_CONFLICT for a stale expectedVersion even when the status has moved on too', async () => {
    const order = await store.orders.create(guestOrder())
    await store.orders.transition(order.id, 'paid', { expectedVersion: 1 })
    // The same request again (a retried "pay"): version 1 is stale, and paid → paid is no transition.
    const again = await store.orders
      .transition(order.id, 'paid', { expectedVersion: 1 })
      .catch((e: unknown) => e)
    expect(again).toBeInstanceOf(VersionConflictError)
    expect(again).toMatchObject({ code: 'VERSION_CONFLICT', expectedVersion: 1, actualVersion: 2 })
    // Without expectedVersion the state rules still answer.
    await expect(store.orders.transition(order.id, 'paid')).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    })
    expect((await store.orders.events(order.id)).map((e) => e.to)).toEqual(['pending', 'paid'])
  })

  it('stores and returns -0 amounts as 0', async () => {
    const order = await store.orders.create(
      guestOrder({ items: [item({ unitPrice: -0 })], shippingTotal: -0, taxTotal: -0, discountTotal: -0 }),
    )
    const read = await store.orders.get(order.id)
    for (const o of [order, read]) {
      expect(Object.is(o.items[0]?.unitPrice, 0)).toBe(true)
      expect(Object.is(o.items[0]?.total, 0)).toBe(true)
      for (const amount of [o.subtotal, o.shippingTotal, o.taxTotal, o.discountTotal, o.total]) {
        expect(Object.is(amount, 0)).toBe(true)
      }
    }
    expect(read).toEqual(order)
    const row = await db().knex(T.orderLines).where({ order_id: order.id }).first()
    expect(Object.is(Number(row.unit_price), 0)).toBe(true)
    // The JSON a host sends on shows 0, not -0.
    expect(JSON.stringify(order.items[0]?.unitPrice)).toBe('0')
  })
})
