import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { recordQueries } from './support/orders.js'
import { paidOrder, shirtOrder } from './support/payments.js'

describeEachDatabase('payments.void and list', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('voids an open authorization: the order is voided, and a second void is INVALID_TRANSITION', async () => {
    const { order, payment } = await paidOrder(store)
    const voided = await store.payments.void(payment.id, { note: 'cancelled by shopper', actor: 'support' })
    expect(voided).toMatchObject({ status: 'voided', voidedAmount: order.total, capturedAmount: 0 })
    expect(voided.transactions.at(-1)).toMatchObject({
      type: 'void',
      amount: order.total,
      note: 'cancelled by shopper',
    })
    expect(await store.orders.get(order.id)).toMatchObject({ status: 'pending', paymentStatus: 'voided' })
    await expect(store.payments.void(payment.id)).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      from: 'voided',
    })
  })

  it('void after a partial capture releases only the rest; void of a fully captured payment is refused', async () => {
    const { order, payment } = await paidOrder(store)
    await store.payments.capture(payment.id, { amount: 1000 })
    const released = await store.payments.void(payment.id)
    expect(released).toMatchObject({
      status: 'captured',
      capturedAmount: 1000,
      voidedAmount: order.total - 1000,
    })
    expect(await store.orders.get(order.id)).toMatchObject({
      paymentStatus: 'partially_paid',
      capturedTotal: 1000,
    })
    await expect(store.payments.capture(payment.id, { amount: 1 })).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    })
    const full = await paidOrder(store, { capture: true })
    await expect(store.payments.void(full.payment.id)).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      entity: 'payment',
      from: 'captured',
    })
  })

  it('voids an authorization on a cancelled order: releasing a hold is what cancelling needs', async () => {
    const { order, payment } = await paidOrder(store)
    await store.orders.transition(order.id, 'cancelled')
    expect((await store.payments.void(payment.id)).status).toBe('voided')
  })

  it('lists payments oldest first, each with its ledger, in 2 statements whatever their number', async () => {
    const order = await store.orders.create(shirtOrder())
    const created = []
    for (let i = 0; i < 3; i++) {
      const p = await store.payments.authorize(order.id, {
        provider: 'stripe',
        reference: `pi_${i}`,
        amount: 1000,
      })
      await store.payments.capture(p.id, { amount: 400 })
      await store.payments.refund(p.id, { amount: 100 })
      created.push(p.id)
    }
    const { result, sql } = await recordQueries(db().knex, () => store.payments.list(order.id))
    expect(sql).toHaveLength(2)
    expect(result.map((p) => p.id)).toEqual(created)
    for (const p of result) {
      expect(p.transactions.map((t) => t.type)).toEqual(['authorization', 'capture', 'refund'])
      expect(p).toMatchObject({ capturedAmount: 400, refundedAmount: 100, status: 'partially_refunded' })
    }
    const read = await store.orders.get(order.id)
    expect(read).toMatchObject({
      capturedTotal: 1200,
      refundedTotal: 300,
      paymentStatus: 'partially_refunded',
    })
    expect(await store.payments.list('01890000-0000-7000-8000-000000000000')).toEqual([])
    await expect(store.payments.list('')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
  })

  it('filters orders by paymentStatus, and reads them in the same 2 statements as before', async () => {
    const { order } = await paidOrder(store, { capture: true })
    const { result, sql } = await recordQueries(db().knex, () =>
      store.orders.list({ paymentStatus: 'paid', limit: 100 }),
    )
    expect(sql).toHaveLength(2)
    expect(result.items.map((o) => o.id)).toContain(order.id)
    for (const o of result.items) expect(o.paymentStatus).toBe('paid')
    const both = await store.orders.list({ paymentStatus: ['paid', 'voided'], limit: 100 })
    expect(both.items.every((o) => ['paid', 'voided'].includes(o.paymentStatus))).toBe(true)
    expect((await recordQueries(db().knex, () => store.orders.get(order.id))).sql).toHaveLength(2)
    await expect(store.orders.list({ paymentStatus: 'settled' as never })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
  })

  it('works inside store.transaction, and rolls back with it', async () => {
    const order = await store.orders.create(shirtOrder())
    await expect(
      store.transaction(async (tx) => {
        await tx.payments.authorize(order.id, {
          provider: 'stripe',
          reference: 'pi_tx',
          amount: order.total,
          capture: true,
        })
        throw new Error('host failure')
      }),
    ).rejects.toThrow('host failure')
    expect(await store.payments.list(order.id)).toEqual([])
    expect(await store.orders.get(order.id)).toMatchObject({ status: 'pending', paymentStatus: 'unpaid' })
    await store.transaction(async (tx) => {
      await tx.payments.authorize(order.id, {
        provider: 'stripe',
        reference: 'pi_tx',
        amount: order.total,
        capture: true,
      })
    })
    expect(await store.orders.get(order.id)).toMatchObject({ status: 'paid', paymentStatus: 'paid' })
  })
})
