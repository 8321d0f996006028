import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { SAMPLE_ADDRESS, sampleCustomer, sampleOrder } from './support/checkout-data.js'
import { describeEachDatabase } from './support/databases.js'
import { countEvents, storedEvents } from './support/outbox.js'

describeEachDatabase('outbox.transactions', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('commits events with the writes of a store.transaction, in sequence', async () => {
    const { customerId, orderId } = await store.transaction(async (tx) => {
      const customer = await tx.customers.create(sampleCustomer('tx-commit'))
      const order = await tx.orders.create(sampleOrder(customer.id))
      await tx.orders.transition(order.id, 'paid')
      return { customerId: customer.id, orderId: order.id }
    })
    expect((await storedEvents(db().knex, customerId)).map((e) => e.type)).toEqual(['customer.created'])
    expect((await storedEvents(db().knex, orderId)).map((e) => [e.sequence, e.type])).toEqual([
      [1, 'order.placed'],
      [2, 'order.status_changed'],
    ])
  })

  it('leaves no event behind when a store.transaction rolls back', async () => {
    const before = await countEvents(db().knex)
    const failure = new Error('payment declined')
    await expect(
      store.transaction(async (tx) => {
        const customer = await tx.customers.create(sampleCustomer('tx-rollback'))
        await tx.customers.addAddress(customer.id, SAMPLE_ADDRESS)
        const order = await tx.orders.create(sampleOrder(customer.id))
        await tx.orders.transition(order.id, 'paid')
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(await countEvents(db().knex)).toBe(before)
  })

  it("writes events in the host's own transaction: gone on its rollback, there on its commit", async () => {
    const before = await countEvents(db().knex)
    const failure = new Error('host failed')
    await expect(
      db().knex.transaction(async (trx) => {
        const hosted = createCheckoutStore(trx)
        const customer = await hosted.customers.create(sampleCustomer('host-rollback'))
        await hosted.orders.create(sampleOrder(customer.id))
        expect(await countEvents(trx)).toBe(before + 2)
        throw failure
      }),
    ).rejects.toBe(failure)
    expect(await countEvents(db().knex)).toBe(before)

    const orderId = await db().knex.transaction(async (trx) => {
      const hosted = createCheckoutStore(trx)
      const order = await hosted.orders.create(sampleOrder())
      await hosted.orders.transition(order.id, 'cancelled')
      return order.id
    })
    expect((await storedEvents(db().knex, orderId)).map((e) => e.sequence)).toEqual([1, 2])
  })

  it('leaves no event behind for a write that fails, and keeps the sequence without a gap', async () => {
    const ada = await store.customers.create(sampleCustomer('fail'))
    const other = await store.customers.create(sampleCustomer('fail-other'))
    const before = await countEvents(db().knex)
    await expect(store.customers.update(ada.id, { email: other.email })).rejects.toMatchObject({
      code: 'DUPLICATE_EMAIL',
    })
    await expect(store.customers.update(ada.id, { name: 'X' }, { expectedVersion: 9 })).rejects.toMatchObject(
      {
        code: 'VERSION_CONFLICT',
      },
    )
    await expect(
      store.customers.updateAddress(ada.id, '01890000-0000-7000-8000-000000000000', { city: 'Bath' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(store.customers.create({ email: ada.email })).rejects.toMatchObject({
      code: 'DUPLICATE_EMAIL',
    })
    const order = await store.orders.create(sampleOrder(ada.id))
    await expect(store.orders.transition(order.id, 'shipped')).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    })
    expect(await countEvents(db().knex)).toBe(before + 1)
    await store.customers.update(ada.id, { name: 'Ada King' })
    expect((await storedEvents(db().knex, ada.id)).map((e) => e.sequence)).toEqual([1, 2])
  })
})
