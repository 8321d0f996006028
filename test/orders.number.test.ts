import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder, orderTableState, T } from './support/orders.js'

describeEachDatabase('orders.number', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('hands out 1001, 1002, … as JS numbers', async () => {
    const numbers: number[] = []
    for (let i = 0; i < 5; i++) numbers.push((await store.orders.create(guestOrder())).number)
    expect(numbers).toEqual([1001, 1002, 1003, 1004, 1005])
    const counter = await db().knex(T.counters).where({ name: 'order_number' }).first()
    expect(Number(counter.value)).toBe(1005)
  })

  it('leaves no gap when a create rolls back after taking a number', async () => {
    const before = await orderTableState(db().knex)
    // An unknown customer with an explicit email is caught by the foreign key, after the counter bump.
    await expect(store.orders.create(guestOrder({ customerId: 'ghost' }))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    expect(await orderTableState(db().knex)).toEqual(before)
    const next = await store.orders.create(guestOrder())
    expect(next.number).toBe(before.counterValue + 1)
  })

  it('finds an order by number, or null', async () => {
    const order = await store.orders.create(guestOrder({ note: 'by number' }))
    expect(await store.orders.findByNumber(order.number)).toEqual(order)
    expect(await store.orders.findByNumber(999_999)).toBeNull()
  })

  it.each([[0], [-1], [1.5], ['1001'], [Number.NaN], [2 ** 53]])(
    'rejects %s as an order number',
    async (value) => {
      await expect(store.orders.findByNumber(value as number)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        issues: expect.arrayContaining([expect.objectContaining({ path: 'number' })]),
      })
    },
  )
})
