import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { TABLES } from './support/fulfillments.js'
import { uniqueEmail } from './support/orders.js'

describeEachDatabase('fulfillments.erasure', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it("clears a parcel's metadata on erasure and keeps its units, carrier and tracking for the books", async () => {
    const email = uniqueEmail()
    const ada = await store.customers.create({ email, name: 'Ada Lovelace' })
    const order = await store.orders.create({
      customerId: ada.id,
      currency: 'USD',
      items: [{ sku: 'TEE-M', name: 'Tee', attributes: { size: 'M' }, quantity: 2, unitPrice: 1999 }],
    })
    await store.orders.transition(order.id, 'paid')
    const parcel = await store.fulfillments.create(order.id, {
      carrier: 'Royal Mail',
      trackingNumber: 'EA123456785GB',
      trackingUrl: 'https://www.royalmail.com/track-your-item#/tracking-results/EA123456785GB',
      metadata: { recipient: 'Ada Lovelace', doorCode: '4711' },
    })
    await store.fulfillments.ship(parcel.id)
    // Another shopper's parcel is left alone.
    const bob = await store.orders.create({
      email: uniqueEmail(),
      currency: 'USD',
      items: [{ sku: 'CAP', name: 'Cap', quantity: 1, unitPrice: 999 }],
    })
    await store.orders.transition(bob.id, 'paid')
    const bobs = await store.fulfillments.create(bob.id, { metadata: { recipient: 'Bob' } })

    await store.customers.anonymize(ada.id, { force: true })

    const [erased] = await store.fulfillments.list(order.id)
    expect(erased).toMatchObject({
      id: parcel.id,
      status: 'shipped',
      items: [{ lineId: order.items[0]?.id, quantity: 2 }],
      carrier: 'Royal Mail',
      trackingNumber: 'EA123456785GB',
      metadata: {},
    })
    const stored = await db().knex(TABLES.fulfillments).where({ id: parcel.id }).first()
    expect(JSON.stringify(stored)).not.toContain('Lovelace')
    expect((await store.fulfillments.list(bob.id))[0]).toEqual(bobs)
    // A second erasure changes nothing.
    await store.customers.anonymize(ada.id, { force: true })
    expect((await store.fulfillments.list(order.id))[0]).toEqual(erased)
  })
})
