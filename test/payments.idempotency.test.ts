import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type Payment } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { paidOrder, rejectedCodes, shirtOrder } from './support/payments.js'
import { separateStores } from './support/stores.js'

const CALLERS = 12

describeEachDatabase('payments.idempotency', (db, name) => {
  let store: CheckoutStore
  let racers: CheckoutStore[]
  beforeAll(async () => {
    if (name === 'sqlite-file') await db().knex.raw('pragma journal_mode = WAL')
    store = createCheckoutStore(db().knex)
    await store.migrate()
    racers = separateStores(db(), name, CALLERS)
  })
  const ledgerSize = async (orderId: string) =>
    (await store.payments.list(orderId)).reduce((n, p) => n + p.transactions.length, 0)

  it('the same key and input return the first result and write nothing; another input is IDEMPOTENCY_KEY_REUSED', async () => {
    const order = await store.orders.create(shirtOrder())
    const input = { provider: 'stripe', reference: 'pi_k', amount: order.total }
    const first = await store.payments.authorize(order.id, input, { idempotencyKey: 'evt_auth_1' })
    const again = await store.payments.authorize(order.id, { ...input }, { idempotencyKey: 'evt_auth_1' })
    expect(again).toEqual(first)
    expect(await store.payments.list(order.id)).toHaveLength(1)
    await expect(
      store.payments.authorize(order.id, { ...input, amount: 1 }, { idempotencyKey: 'evt_auth_1' }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' })

    const captured = await store.payments.capture(first.id, { amount: 1000 }, { idempotencyKey: 'evt_cap_1' })
    expect(await store.payments.capture(first.id, { amount: 1000 }, { idempotencyKey: 'evt_cap_1' })).toEqual(
      captured,
    )
    await expect(
      store.payments.capture(first.id, { amount: 999 }, { idempotencyKey: 'evt_cap_1' }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' })
    const refunded = await store.payments.refund(first.id, { amount: 100 }, { idempotencyKey: 'evt_ref_1' })
    expect(await store.payments.refund(first.id, { amount: 100 }, { idempotencyKey: 'evt_ref_1' })).toEqual(
      refunded,
    )
    expect(await ledgerSize(order.id)).toBe(3)
    expect(await store.orders.get(order.id)).toMatchObject({ capturedTotal: 1000, refundedTotal: 100 })
  })

  it('scopes a key to its operation and payment: the same key on another payment or operation is new', async () => {
    const a = await paidOrder(store)
    const b = await paidOrder(store)
    await store.payments.capture(a.payment.id, { amount: 500 }, { idempotencyKey: 'shared' })
    await store.payments.capture(b.payment.id, { amount: 500 }, { idempotencyKey: 'shared' })
    await store.payments.refund(a.payment.id, { amount: 100 }, { idempotencyKey: 'shared' })
    expect((await store.payments.list(a.order.id))[0]).toMatchObject({
      capturedAmount: 500,
      refundedAmount: 100,
    })
    expect((await store.payments.list(b.order.id))[0]).toMatchObject({ capturedAmount: 500 })
  })

  it(`gives ${CALLERS} concurrent captures of the rest with one key one capture, and all of them its result`, async () => {
    const { order, payment } = await paidOrder(store)
    const results = await Promise.allSettled(
      racers.map((s) => s.payments.capture(payment.id, undefined, { idempotencyKey: 'evt_race' })),
    )
    expect(rejectedCodes(results)).toEqual([])
    const payments = results.map((r) => (r as PromiseFulfilledResult<Payment>).value)
    for (const p of payments) expect(p).toEqual(payments[0])
    expect(payments[0]).toMatchObject({ capturedAmount: order.total, status: 'captured' })
    expect(await ledgerSize(order.id)).toBe(2)
  })

  it(`gives ${CALLERS} concurrent authorizations with one key one payment`, async () => {
    const order = await store.orders.create(shirtOrder())
    const input = { provider: 'stripe', reference: 'pi_race', amount: order.total, capture: true }
    const results = await Promise.allSettled(
      racers.map((s) => s.payments.authorize(order.id, input, { idempotencyKey: 'evt_auth_race' })),
    )
    expect(rejectedCodes(results)).toEqual([])
    expect(new Set(results.map((r) => (r as PromiseFulfilledResult<Payment>).value.id)).size).toBe(1)
    expect(await store.payments.list(order.id)).toHaveLength(1)
    expect((await store.orders.events(order.id)).filter((e) => e.to === 'paid')).toHaveLength(1)
  })
})
