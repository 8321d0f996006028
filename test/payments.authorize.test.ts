import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { SAMPLE_CARD } from './support/checkout-data.js'
import { describeEachDatabase } from './support/databases.js'
import { recordQueries, uniqueEmail } from './support/orders.js'
import { shirtOrder } from './support/payments.js'

describeEachDatabase('payments.authorize', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('records an authorization with its ledger entry, and the order shows it as authorized', async () => {
    const order = await store.orders.create(shirtOrder())
    const before = new Date(Date.now() + 7 * 86_400_000)
    before.setMilliseconds(0)
    const payment = await store.payments.authorize(order.id, {
      provider: 'stripe',
      reference: 'pi_3Nabc',
      amount: order.total,
      captureBefore: before,
      note: 'checkout',
      actor: 'stripe-webhook',
    })
    expect(payment).toMatchObject({
      orderId: order.id,
      provider: 'stripe',
      reference: 'pi_3Nabc',
      paymentMethodId: null,
      currency: 'USD',
      status: 'authorized',
      amount: order.total,
      capturedAmount: 0,
      refundedAmount: 0,
      voidedAmount: 0,
      captureBefore: before,
      version: 1,
    })
    expect(payment.transactions).toEqual([
      {
        id: expect.any(String),
        type: 'authorization',
        amount: order.total,
        reference: 'pi_3Nabc',
        note: 'checkout',
        actor: 'stripe-webhook',
        at: payment.createdAt,
        items: [],
      },
    ])
    const read = await store.orders.get(order.id)
    expect(read).toMatchObject({
      status: 'pending',
      version: 1,
      paymentStatus: 'authorized',
      capturedTotal: 0,
    })
    expect(await store.payments.list(order.id)).toEqual([payment])
  })

  it('a sale (capture: true) is authorized and captured at once, and moves the order to paid', async () => {
    const order = await store.orders.create(shirtOrder())
    const sale = await store.payments.authorize(order.id, {
      provider: 'stripe',
      reference: 'pi_sale',
      amount: order.total,
      capture: true,
    })
    expect(sale).toMatchObject({ status: 'captured', capturedAmount: order.total })
    expect(sale.transactions.map((t) => [t.type, t.amount])).toEqual([
      ['authorization', order.total],
      ['capture', order.total],
    ])
    const read = await store.orders.get(order.id)
    expect(read).toMatchObject({
      status: 'paid',
      version: 2,
      paymentStatus: 'paid',
      capturedTotal: order.total,
    })
    const events = await store.orders.events(order.id)
    expect(events.map((e) => [e.type, e.from, e.to])).toEqual([
      ['order_placed', null, 'pending'],
      ['status_changed', 'pending', 'paid'],
    ])
  })

  it("takes a saved payment method of the order's customer, and no one else's", async () => {
    const ada = await store.customers.create({ email: uniqueEmail() })
    const card = await store.customers.addPaymentMethod(ada.id, SAMPLE_CARD)
    const grace = await store.customers.create({ email: uniqueEmail() })
    const other = await store.customers.addPaymentMethod(grace.id, { ...SAMPLE_CARD, token: 'pm_grace' })
    const order = await store.orders.create({ ...shirtOrder(), email: null, customerId: ada.id })
    const input = { provider: 'stripe', reference: 'pi_pm', amount: 100 }
    const ok = await store.payments.authorize(order.id, { ...input, paymentMethodId: card.id })
    expect(ok.paymentMethodId).toBe(card.id)
    await expect(
      store.payments.authorize(order.id, { ...input, paymentMethodId: other.id }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'payment method',
    })
    const guest = await store.orders.create(shirtOrder())
    await expect(
      store.payments.authorize(guest.id, { ...input, paymentMethodId: card.id }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    expect(await store.payments.list(guest.id)).toEqual([])
  })

  it('refuses a payment on a cancelled order with INVALID_TRANSITION, writing nothing', async () => {
    const order = await store.orders.create(shirtOrder())
    await store.orders.transition(order.id, 'cancelled')
    await expect(
      store.payments.authorize(order.id, { provider: 'stripe', reference: 'pi_x', amount: 100 }),
    ).rejects.toMatchObject({ code: 'INVALID_TRANSITION', from: 'cancelled' })
    expect(await store.payments.list(order.id)).toEqual([])
    await expect(
      store.payments.authorize('01890000-0000-7000-8000-000000000000', {
        provider: 'stripe',
        reference: 'pi_x',
        amount: 1,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'order' })
  })

  it.each([
    [{ provider: 'stripe', reference: 'pi_x', amount: 0 }, 'amount'],
    [{ provider: 'stripe', reference: 'pi_x', amount: 10.5 }, 'amount'],
    [{ provider: 'stripe', reference: 'pi_x', amount: -1 }, 'amount'],
    [{ provider: 'stripe', reference: 'pi_x', amount: Number.MAX_SAFE_INTEGER + 1 }, 'amount'],
    [{ provider: '', reference: 'pi_x', amount: 1 }, 'provider'],
    [{ provider: 'stripe', reference: 'pi_x', amount: 1, extra: 1 }, ''],
    [{ provider: 'stripe', reference: 'pi_x', amount: 1, captureBefore: 'tomorrow' }, 'captureBefore'],
  ])('rejects %j with VALIDATION_FAILED at %s, writing nothing', async (input, path) => {
    const order = await store.orders.create(shirtOrder())
    await expect(store.payments.authorize(order.id, input as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: expect.arrayContaining([expect.objectContaining({ path })]),
    })
    expect(await store.payments.list(order.id)).toEqual([])
  })

  it('refuses card data in any field, before any other check, without repeating it', async () => {
    const order = await store.orders.create(shirtOrder())
    for (const input of [
      { provider: 'stripe', reference: '4242 4242 4242 4242', amount: 1 },
      { provider: 'stripe', reference: 'pi_x', amount: -5, note: 'card 4111111111111111' },
      { provider: 'stripe', reference: 'pi_x', amount: 1, cvc: '123' },
    ]) {
      const error = await store.payments.authorize(order.id, input as never).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'CARD_DATA_REJECTED' })
      expect(String((error as Error).message)).not.toMatch(/4242|4111/)
    }
    await expect(
      store.payments.authorize(
        order.id,
        { provider: 'stripe', reference: 'pi_x', amount: 1 },
        { idempotencyKey: '4111 1111 1111 1111' },
      ),
    ).rejects.toMatchObject({ code: 'CARD_DATA_REJECTED' })
    expect(await db().knex('checkout_payments').where({ order_id: order.id })).toEqual([])
  })

  it('writes a sale in a fixed number of statements', async () => {
    const order = await store.orders.create(shirtOrder())
    const { sql } = await recordQueries(db().knex, () =>
      store.payments.authorize(order.id, {
        provider: 'stripe',
        reference: 'pi_n',
        amount: order.total,
        capture: true,
      }),
    )
    // BEGIN, lock, payments of the order, insert payment, insert ledger rows, update order (advancing its
    // outbox counter), insert event, the outbox's events, COMMIT. The new payment's ledger is the rows
    // written, so none is read back.
    console.info(`[${db().name}] authorize (sale) statements: ${sql.length}`)
    expect(sql.length).toBeLessThanOrEqual(9)
  })
})
