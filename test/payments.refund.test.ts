import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { recordQueries } from './support/orders.js'
import { paidOrder } from './support/payments.js'

/*
 * The order of support/payments.ts: 2 shirts at 1999 and a cap at 1500 (subtotal 5498), tax 550, discount
 * 300, shipping 500. Allocated by largest remainder: tax 400 + 150, discount 218 + 82, so the shirts line
 * refunds 3998 − 218 + 400 = 4180 and the cap 1500 − 82 + 150 = 1568: together 5748, the total less shipping.
 */

describeEachDatabase('payments.refund', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it("allocates the order's tax and discount to its lines, exactly", async () => {
    const { order } = await paidOrder(store)
    expect(order.items.map((i) => [i.taxTotal, i.discountTotal, i.refundedQuantity])).toEqual([
      [400, 218, 0],
      [150, 82, 0],
    ])
    expect((await store.orders.get(order.id)).items).toEqual(order.items)
  })

  it('refunds a returned shirt by line, then the rest by line and shipping by amount: exactly the total', async () => {
    const { order, payment } = await paidOrder(store, { capture: true })
    const [shirt, cap] = order.items as [(typeof order.items)[0], (typeof order.items)[0]]
    const first = await store.payments.refund(
      payment.id,
      { items: [{ lineId: shirt.id, quantity: 1 }], reason: 'too small', reference: 're_1' },
      { idempotencyKey: 'ref-1' },
    )
    expect(first).toMatchObject({ status: 'partially_refunded', refundedAmount: 2090 })
    expect(first.transactions.at(-1)).toMatchObject({
      type: 'refund',
      amount: 2090,
      note: 'too small',
      reference: 're_1',
      items: [{ lineId: shirt.id, quantity: 1, amount: 2090 }],
    })
    let read = await store.orders.get(order.id)
    expect(read.items.map((i) => i.refundedQuantity)).toEqual([1, 0])
    expect(read).toMatchObject({ status: 'paid', paymentStatus: 'partially_refunded', refundedTotal: 2090 })

    await expect(
      store.payments.refund(payment.id, { items: [{ lineId: shirt.id, quantity: 2 }] }),
    ).rejects.toMatchObject({ code: 'BALANCE_EXCEEDED', requested: 2, available: 1 })

    const rest = await store.payments.refund(payment.id, {
      items: [
        { lineId: shirt.id, quantity: 1 },
        { lineId: cap.id, quantity: 1 },
      ],
    })
    expect(rest.refundedAmount).toBe(order.total - order.shippingTotal)
    expect(rest.transactions.at(-1)?.items).toEqual([
      { lineId: shirt.id, quantity: 1, amount: 2090 },
      { lineId: cap.id, quantity: 1, amount: 1568 },
    ])
    expect((await store.orders.get(order.id)).status).toBe('paid')

    const shipping = await store.payments.refund(payment.id, { amount: 500, reason: 'shipping' })
    expect(shipping).toMatchObject({ status: 'refunded', refundedAmount: order.total })
    read = await store.orders.get(order.id)
    expect(read).toMatchObject({ status: 'refunded', paymentStatus: 'refunded', refundedTotal: order.total })
    expect((await store.orders.events(order.id)).at(-1)).toMatchObject({
      from: 'paid',
      to: 'refunded',
      note: 'shipping',
    })
    await expect(store.payments.refund(payment.id, { amount: 1 })).rejects.toMatchObject({
      code: 'BALANCE_EXCEEDED',
      requested: 1,
      available: 0,
    })
  })

  it('refuses more than was captured and not refunded, and lines of another order', async () => {
    const { payment } = await paidOrder(store)
    await expect(store.payments.refund(payment.id, { amount: 1 })).rejects.toMatchObject({
      code: 'BALANCE_EXCEEDED',
      available: 0,
    })
    await store.payments.capture(payment.id, { amount: 1000 })
    await expect(store.payments.refund(payment.id, { amount: 1001 })).rejects.toMatchObject({
      code: 'BALANCE_EXCEEDED',
      requested: 1001,
      available: 1000,
    })
    // Two shirts refund 4180: more than the 1000 captured, and nothing is written.
    const order = await store.orders.get(payment.orderId)
    await expect(
      store.payments.refund(payment.id, { items: [{ lineId: order.items[0]?.id as string, quantity: 2 }] }),
    ).rejects.toMatchObject({ code: 'BALANCE_EXCEEDED', requested: 4180, available: 1000 })
    expect((await store.orders.get(order.id)).items[0]?.refundedQuantity).toBe(0)
    const other = await paidOrder(store)
    await expect(
      store.payments.refund(payment.id, {
        items: [{ lineId: other.order.items[0]?.id as string, quantity: 1 }],
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'items.0.lineId', message: expect.any(String) }],
    })
  })

  it.each([
    [{}, ''],
    [{ amount: 100, items: [{ lineId: '01890000-0000-7000-8000-000000000000', quantity: 1 }] }, ''],
    [{ items: [] }, 'items'],
    [{ items: [{ lineId: '01890000-0000-7000-8000-000000000000', quantity: 0 }] }, 'items.0.quantity'],
    [
      {
        items: [
          { lineId: '01890000-0000-7000-8000-000000000000', quantity: 1 },
          { lineId: '01890000-0000-7000-8000-000000000000', quantity: 1 },
        ],
      },
      'items',
    ],
  ])('rejects %j with VALIDATION_FAILED', async (input, path) => {
    const { payment } = await paidOrder(store, { capture: true })
    await expect(store.payments.refund(payment.id, input as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: expect.arrayContaining([expect.objectContaining({ path })]),
    })
  })

  it('allows a refund on a cancelled order, which stays cancelled', async () => {
    const { order, payment } = await paidOrder(store, { capture: true })
    await store.orders.transition(order.id, 'cancelled')
    const refunded = await store.payments.refund(payment.id, { amount: order.total })
    expect(refunded.status).toBe('refunded')
    expect(await store.orders.get(order.id)).toMatchObject({ status: 'cancelled', paymentStatus: 'refunded' })
  })

  it('runs a refund of n lines in a fixed number of statements plus one per line', async () => {
    const { order, payment } = await paidOrder(store, { capture: true })
    const { sql } = await recordQueries(db().knex, () =>
      store.payments.refund(payment.id, { items: order.items.map((i) => ({ lineId: i.id, quantity: 1 })) }),
    )
    console.info(`[${db().name}] refund statements, 2 lines: ${sql.length}`)
    // BEGIN, lock (found through the payment), payments with this one's ledger, the order's lines with
    // their money and goods, payment update, 2 line updates, order update (advancing its outbox counter),
    // ledger row, refund lines, the outbox's events, COMMIT; the goods follow the lines (nothing shipped,
    // so the fulfillment status stands). On MySQL/MariaDB the payment's order is read first, before the
    // transaction; PostgreSQL inserts the ledger row, its refund lines and the outbox's events in one
    // statement.
    expect(sql).toHaveLength({ mysql: 13, postgresql: 10 }[db().name as string] ?? 12)
  })
})
