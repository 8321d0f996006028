import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { recordQueries } from './support/orders.js'
import { paidOrder } from './support/payments.js'

describeEachDatabase('payments.capture', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('captures part, then the rest; the order is partially paid, then paid with its status_changed event', async () => {
    const { order, payment } = await paidOrder(store)
    const part = await store.payments.capture(payment.id, { amount: 3000, reference: 'ch_1', actor: 'ops' })
    expect(part).toMatchObject({ status: 'partially_captured', capturedAmount: 3000, version: 2 })
    expect(await store.orders.get(order.id)).toMatchObject({
      status: 'pending',
      paymentStatus: 'partially_paid',
      capturedTotal: 3000,
    })
    const rest = await store.payments.capture(payment.id)
    expect(rest).toMatchObject({ status: 'captured', capturedAmount: order.total, version: 3 })
    expect(rest.transactions.map((t) => [t.type, t.amount, t.reference, t.actor])).toEqual([
      ['authorization', order.total, `pi_${order.number}`, null],
      ['capture', 3000, 'ch_1', 'ops'],
      ['capture', order.total - 3000, null, null],
    ])
    const read = await store.orders.get(order.id)
    expect(read).toMatchObject({
      status: 'paid',
      version: 2,
      paymentStatus: 'paid',
      capturedTotal: order.total,
    })
    const events = await store.orders.events(order.id)
    expect(events.at(-1)).toMatchObject({ type: 'status_changed', from: 'pending', to: 'paid' })
  })

  it('refuses more than is left with BALANCE_EXCEEDED, carrying requested and available', async () => {
    const { payment } = await paidOrder(store, { amount: 5000 })
    await store.payments.capture(payment.id, { amount: 4000 })
    const error = await store.payments.capture(payment.id, { amount: 1001 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BALANCE_EXCEEDED', requested: 1001, available: 1000 })
    expect((await store.payments.list(payment.orderId))[0]).toMatchObject({
      capturedAmount: 4000,
      version: 2,
    })
  })

  it('refuses a capture of a voided or fully captured payment, and on a cancelled order', async () => {
    const voided = await paidOrder(store)
    await store.payments.void(voided.payment.id)
    await expect(store.payments.capture(voided.payment.id)).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      entity: 'payment',
      from: 'voided',
    })
    const full = await paidOrder(store, { capture: true })
    await expect(store.payments.capture(full.payment.id)).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    })
    await expect(store.payments.capture(full.payment.id, { amount: 1 })).rejects.toMatchObject({
      code: 'BALANCE_EXCEEDED',
      available: 0,
    })
    const cancelled = await paidOrder(store)
    await store.orders.transition(cancelled.order.id, 'cancelled')
    await expect(store.payments.capture(cancelled.payment.id)).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      from: 'cancelled',
    })
  })

  it('throws NOT_FOUND for an unknown payment and VALIDATION_FAILED for a bad amount', async () => {
    await expect(store.payments.capture('01890000-0000-7000-8000-000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'payment',
    })
    const { payment } = await paidOrder(store)
    for (const amount of [0, -1, 1.5, '10']) {
      await expect(store.payments.capture(payment.id, { amount } as never)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      })
    }
    expect((await store.payments.list(payment.orderId))[0]?.version).toBe(1)
  })

  it('runs a capture in a fixed number of statements, whatever the ledger holds', async () => {
    const { payment } = await paidOrder(store, { amount: 100_000 })
    const counts: number[] = []
    for (let i = 0; i < 4; i++) {
      const { sql } = await recordQueries(db().knex, () => store.payments.capture(payment.id, { amount: 10 }))
      counts.push(sql.length)
    }
    // BEGIN, order lock (found through the payment), the order's payments with this one's ledger, payment
    // update, order update (advancing its outbox counter), the ledger row, the outbox's events, COMMIT. On
    // MySQL/MariaDB the payment's order is read first, before the transaction; PostgreSQL inserts the
    // ledger row and the outbox's events in one statement.
    console.info(`[${db().name}] capture statements: ${counts.join(', ')}`)
    expect(new Set(counts).size).toBe(1)
    expect(counts[0]).toBe({ mysql: 9, postgresql: 7 }[db().name as string] ?? 8)
  })
})
