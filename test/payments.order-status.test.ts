import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { paidOrder, shirtOrder } from './support/payments.js'

describeEachDatabase('payments: order status follows money', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('derives paymentStatus through a whole life: unpaid → authorized → partially_paid → paid → partially_refunded → refunded', async () => {
    const order = await store.orders.create(shirtOrder())
    const seen = [(await store.orders.get(order.id)).paymentStatus]
    const payment = await store.payments.authorize(order.id, {
      provider: 'stripe',
      reference: 'pi_life',
      amount: order.total,
    })
    seen.push((await store.orders.get(order.id)).paymentStatus)
    await store.payments.capture(payment.id, { amount: 1 })
    seen.push((await store.orders.get(order.id)).paymentStatus)
    await store.payments.capture(payment.id)
    seen.push((await store.orders.get(order.id)).paymentStatus)
    await store.orders.transition(order.id, 'shipped')
    await store.payments.refund(payment.id, { amount: 1 })
    seen.push((await store.orders.get(order.id)).paymentStatus)
    await store.payments.refund(payment.id, { amount: order.total - 1 })
    const final = await store.orders.get(order.id)
    seen.push(final.paymentStatus)
    expect(seen).toEqual(['unpaid', 'authorized', 'partially_paid', 'paid', 'partially_refunded', 'refunded'])
    expect(final.status).toBe('refunded')
    expect((await store.orders.events(order.id)).map((e) => `${e.from}>${e.to}`)).toEqual([
      'null>pending',
      'pending>paid',
      'paid>shipped',
      'shipped>refunded',
    ])
  })

  it('sums several payments: two half captures make the order paid', async () => {
    const order = await store.orders.create(shirtOrder())
    const half = Math.floor(order.total / 2)
    const a = await store.payments.authorize(order.id, {
      provider: 'gift',
      reference: 'gc_1',
      amount: half,
      capture: true,
    })
    expect(await store.orders.get(order.id)).toMatchObject({
      status: 'pending',
      paymentStatus: 'partially_paid',
    })
    await store.payments.authorize(order.id, {
      provider: 'stripe',
      reference: 'pi_2',
      amount: order.total - half,
      capture: true,
    })
    expect(await store.orders.get(order.id)).toMatchObject({
      status: 'paid',
      paymentStatus: 'paid',
      capturedTotal: order.total,
    })
    // Refunding one of the two payments in full is a partial refund of the order.
    await store.payments.refund(a.id, { amount: half })
    expect(await store.orders.get(order.id)).toMatchObject({
      status: 'paid',
      paymentStatus: 'partially_refunded',
    })
  })

  it('transition() still works for payments made outside the ledger, which leaves paymentStatus alone', async () => {
    const order = await store.orders.create(shirtOrder())
    const paid = await store.orders.transition(order.id, 'paid', {
      expectedVersion: 1,
      note: 'paid by bank transfer',
    })
    expect(paid).toMatchObject({ status: 'paid', version: 2, paymentStatus: 'unpaid', capturedTotal: 0 })
    await store.orders.transition(order.id, 'refunded')
    expect(await store.orders.get(order.id)).toMatchObject({ status: 'refunded', paymentStatus: 'unpaid' })
  })

  it('a capture that moves the order bumps its version, so a stale transition() gets VERSION_CONFLICT', async () => {
    const { order, payment } = await paidOrder(store)
    await store.payments.capture(payment.id)
    await expect(
      store.orders.transition(order.id, 'cancelled', { expectedVersion: 1 }),
    ).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
    })
    expect(await store.orders.get(order.id)).toMatchObject({ status: 'paid', version: 2 })
  })
})
