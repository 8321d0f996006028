import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { createCustomer, guestOrder, item, orderTableState, T } from './support/orders.js'

describeEachDatabase('store.transaction', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  const customerCount = async () => Number((await db().knex(T.customers).count({ n: '*' }).first())?.n)

  it('commits customers and orders together', async () => {
    const { customer, order } = await store.transaction(async (tx) => {
      const customer = await createCustomer(tx.customers, tx.trx, 'tx@example.com')
      const order = await tx.orders.create({ customerId: customer.id, currency: 'EUR', items: [item()] })
      const paid = await tx.orders.transition(order.id, 'paid', { expectedVersion: 1 })
      // Reads inside the transaction see its own writes.
      expect(await tx.orders.get(order.id)).toEqual(paid)
      return { customer, order: paid }
    })
    expect(await store.orders.get(order.id)).toEqual(order)
    expect(order).toMatchObject({ customerId: customer.id, email: 'tx@example.com', status: 'paid' })
    expect((await store.orders.events(order.id)).map((e) => e.to)).toEqual(['pending', 'paid'])
  })

  it('leaves nothing behind when fn throws', async () => {
    const before = { ...(await orderTableState(db().knex)), customers: await customerCount() }
    const boom = new Error('payment declined')
    await expect(
      store.transaction(async (tx) => {
        const customer = await createCustomer(tx.customers, tx.trx, 'rolled-back@example.com')
        const order = await tx.orders.create(
          { customerId: customer.id, currency: 'USD', items: [item(), item()] },
          {
            idempotencyKey: 'tx-rollback',
          },
        )
        await tx.orders.transition(order.id, 'paid')
        throw boom
      }),
    ).rejects.toBe(boom)
    expect({ ...(await orderTableState(db().knex)), customers: await customerCount() }).toEqual(before)
    // The key was rolled back too, so it makes a new order now.
    const order = await store.orders.create(guestOrder(), { idempotencyKey: 'tx-rollback' })
    expect(order.number).toBe(before.counterValue + 1)
  })

  it('undoes only a failed call inside the transaction, which stays usable', async () => {
    const before = await orderTableState(db().knex)
    const order = await store.transaction(async (tx) => {
      // Fails after the counter bump (foreign key): its savepoint is rolled back, the transaction goes on.
      await expect(tx.orders.create(guestOrder({ customerId: 'ghost' }))).rejects.toMatchObject({
        code: 'NOT_FOUND',
      })
      await expect(tx.orders.create(guestOrder({ currency: 'ZZZ' }))).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      })
      return tx.orders.create(guestOrder())
    })
    expect(order.number).toBe(before.counterValue + 1)
    expect(await orderTableState(db().knex)).toEqual({
      ...before,
      orders: before.orders + 1,
      lines: before.lines + 1,
      events: before.events + 1,
      counterValue: before.counterValue + 1,
    })
  })

  it('replays an idempotency key inside a transaction', async () => {
    const first = await store.orders.create(guestOrder(), { idempotencyKey: 'tx-replay' })
    const again = await store.transaction((tx) =>
      tx.orders.create(guestOrder(), { idempotencyKey: 'tx-replay' }),
    )
    expect(again).toEqual(first)
  })
})
