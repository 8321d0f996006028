import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type Payment } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { item } from './support/orders.js'
import { paidOrder, rejectedCodes } from './support/payments.js'
import { separateStores } from './support/stores.js'

const CALLERS = 20

/*
 * Racers on separate pools, as separate processes would be: what is left to capture, refund or return is
 * held by the database (the order's row lock, conditional updates, CHECK constraints), not by this process.
 */
describeEachDatabase('payments.concurrency', (db, name) => {
  let store: CheckoutStore
  let racers: CheckoutStore[]
  beforeAll(async () => {
    // Several pools writing one file: WAL, so a reader never makes a writer's COMMIT fail.
    if (name === 'sqlite-file') await db().knex.raw('pragma journal_mode = WAL')
    store = createCheckoutStore(db().knex)
    await store.migrate()
    racers = separateStores(db(), name, CALLERS)
  })

  it(`${CALLERS} concurrent captures of 1000 on 5000: exactly 5 succeed, 15 BALANCE_EXCEEDED`, async () => {
    const { order, payment } = await paidOrder(store, { amount: 5000 })
    const results = await Promise.allSettled(
      racers.map((s) => s.payments.capture(payment.id, { amount: 1000 })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5)
    expect(rejectedCodes(results)).toEqual(Array(15).fill('BALANCE_EXCEEDED'))
    const [after] = await store.payments.list(order.id)
    expect(after).toMatchObject({ capturedAmount: 5000, status: 'captured', version: 6 })
    expect(after?.transactions.filter((t) => t.type === 'capture')).toHaveLength(5)
    expect((await store.orders.get(order.id)).capturedTotal).toBe(5000)
  })

  it(`${CALLERS} concurrent refunds of 300 on 3000 captured: exactly 10 succeed, and the order ends refunded`, async () => {
    const input = {
      items: [item({ quantity: 1, unitPrice: 3000 })],
      shippingTotal: 0,
      taxTotal: 0,
      discountTotal: 0,
    }
    const { order, payment } = await paidOrder(store, { input, capture: true })
    expect(order.total).toBe(3000)
    const results = await Promise.allSettled(
      racers.map((s) => s.payments.refund(payment.id, { amount: 300 })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10)
    expect(rejectedCodes(results)).toEqual(Array(10).fill('BALANCE_EXCEEDED'))
    const read = await store.orders.get(order.id)
    expect(read).toMatchObject({ refundedTotal: 3000, paymentStatus: 'refunded', status: 'refunded' })
    // Exactly one refund moved the order: one status_changed to refunded.
    const events = await store.orders.events(order.id)
    expect(events.filter((e) => e.to === 'refunded')).toHaveLength(1)
  })

  it('racing line refunds never refund more units of a line than were bought', async () => {
    const { order, payment } = await paidOrder(store, { capture: true })
    const shirt = order.items[0]?.id as string // 2 units
    const results = await Promise.allSettled(
      racers.map((s) => s.payments.refund(payment.id, { items: [{ lineId: shirt, quantity: 1 }] })),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2)
    expect(rejectedCodes(results)).toEqual(Array(CALLERS - 2).fill('BALANCE_EXCEEDED'))
    const read = await store.orders.get(order.id)
    expect(read.items[0]?.refundedQuantity).toBe(2)
    expect(read.refundedTotal).toBe(4180)
  })

  it('racing void and captures: the void and the captures never add up past the authorization', async () => {
    const { order, payment } = await paidOrder(store, { amount: 5000 })
    const results = await Promise.allSettled(
      racers.map((s, i) =>
        i === 7 ? s.payments.void(payment.id) : s.payments.capture(payment.id, { amount: 1000 }),
      ),
    )
    const captured = results.filter((r, i) => i !== 7 && r.status === 'fulfilled').length
    const [after] = (await store.payments.list(order.id)) as [Payment]
    expect(after.capturedAmount).toBe(captured * 1000)
    expect(after.capturedAmount + after.voidedAmount).toBe(
      results[7]?.status === 'fulfilled' ? 5000 : after.capturedAmount,
    )
    expect(after.capturedAmount + after.voidedAmount).toBeLessThanOrEqual(5000)
    for (const code of rejectedCodes(results))
      expect(['BALANCE_EXCEEDED', 'INVALID_TRANSITION']).toContain(code)
  })
})
