import fc from 'fast-check'
import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder, item, T } from './support/orders.js'

const MAX = Number.MAX_SAFE_INTEGER // 2^53 − 1

describeEachDatabase('orders.money', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it.each([0, 1, MAX])('round-trips a unit price of %d minor units exactly', async (unitPrice) => {
    const order = await store.orders.create(guestOrder({ items: [item({ quantity: 1, unitPrice })] }))
    for (const read of [
      await store.orders.get(order.id),
      await store.orders.findByNumber(order.number),
      (await store.orders.list({ limit: 1 })).items[0],
    ]) {
      expect(read?.items[0]?.unitPrice).toBe(unitPrice)
      expect(read?.items[0]?.total).toBe(unitPrice)
      expect(read?.subtotal).toBe(unitPrice)
      expect(read?.total).toBe(unitPrice)
      expect(typeof read?.total).toBe('number')
    }
  })

  it('round-trips order-level amounts up to 2^53 − 1', async () => {
    const order = await store.orders.create(
      guestOrder({
        items: [item({ quantity: 1, unitPrice: 0 })],
        shippingTotal: MAX - 10,
        taxTotal: 10,
        discountTotal: 0,
      }),
    )
    expect(order.total).toBe(MAX)
    const read = await store.orders.get(order.id)
    expect(read).toMatchObject({
      shippingTotal: MAX - 10,
      taxTotal: 10,
      discountTotal: 0,
      subtotal: 0,
      total: MAX,
    })
    const discounted = await store.orders.create(
      guestOrder({ items: [item({ quantity: 1, unitPrice: MAX })], discountTotal: MAX }),
    )
    expect((await store.orders.get(discounted.id)).total).toBe(0)
  })

  it('stores amounts as integers in minor units, whatever the currency exponent', async () => {
    for (const [currency, unitPrice] of [
      ['JPY', 500],
      ['KWD', 1250],
      ['CLF', 10000],
      ['EUR', 1999],
    ] as const) {
      const order = await store.orders.create(
        guestOrder({ currency, items: [item({ quantity: 3, unitPrice })] }),
      )
      expect(await store.orders.get(order.id)).toMatchObject({
        currency,
        subtotal: 3 * unitPrice,
        total: 3 * unitPrice,
      })
    }
    const row = await db().knex(T.orders).orderBy('number', 'desc').first()
    expect(Number(row.subtotal)).toBe(3 * 1999)
  })

  it('computes and reads back totals exactly for any lines (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            quantity: fc.integer({ min: 1, max: 10_000 }),
            unitPrice: fc.integer({ min: 0, max: 2 ** 38 }),
          }),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        async (lines, shippingTotal, taxTotal) => {
          const subtotal = lines.reduce((sum, l) => sum + BigInt(l.quantity) * BigInt(l.unitPrice), 0n)
          const order = await store.orders.create(
            guestOrder({ items: lines.map((l) => item(l)), shippingTotal, taxTotal, discountTotal: 0 }),
          )
          expect(BigInt(order.subtotal)).toBe(subtotal)
          expect(BigInt(order.total)).toBe(subtotal + BigInt(shippingTotal) + BigInt(taxTotal))
          expect(await store.orders.get(order.id)).toEqual(order)
        },
      ),
      { numRuns: 25 },
    )
  })
})
