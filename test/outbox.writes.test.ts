import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { SAMPLE_ADDRESS, SAMPLE_CARD, sampleCustomer, sampleOrder } from './support/checkout-data.js'
import { describeEachDatabase } from './support/databases.js'
import { storedEvents } from './support/outbox.js'

describeEachDatabase('outbox.writes', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('appends customer.created, customer.updated and customer.anonymized with sequences 1, 2, 3…', async () => {
    const ada = await store.customers.create(sampleCustomer('w1'))
    await store.customers.update(ada.id, { name: 'Ada King', phone: null })
    await store.customers.update(ada.id, { metadata: { tier: 'gold' } }, { expectedVersion: 2 })
    await store.customers.anonymize(ada.id)
    const events = await storedEvents(db().knex, ada.id)
    expect(events.map((e) => [e.type, e.sequence, e.aggregateType])).toEqual([
      ['customer.created', 1, 'customer'],
      ['customer.updated', 2, 'customer'],
      ['customer.updated', 3, 'customer'],
      ['customer.anonymized', 4, 'customer'],
    ])
    expect(events.map((e) => e.payload)).toEqual([
      { customerId: ada.id, version: 1 },
      { customerId: ada.id, version: 2, changed: ['name', 'phone'] },
      { customerId: ada.id, version: 3, changed: ['metadata'] },
      { customerId: ada.id },
    ])
  })

  it('reports address and payment-method changes as customer.updated, and no-op writes as nothing', async () => {
    const ada = await store.customers.create(sampleCustomer('w2'))
    const address = await store.customers.addAddress(ada.id, SAMPLE_ADDRESS)
    await store.customers.updateAddress(ada.id, address.id, { city: 'Bath' })
    await store.customers.updateAddress(ada.id, address.id, {}) // nothing to change
    const card = await store.customers.addPaymentMethod(ada.id, SAMPLE_CARD)
    await store.customers.addPaymentMethod(ada.id, SAMPLE_CARD) // the same token: already saved
    await store.customers.update(ada.id, {}) // nothing to change
    await store.customers.removePaymentMethod(ada.id, card.id)
    await store.customers.removeAddress(ada.id, address.id)
    const events = await storedEvents(db().knex, ada.id)
    expect(events.map((e) => [e.sequence, e.type, e.payload.changed])).toEqual([
      [1, 'customer.created', undefined],
      [2, 'customer.updated', ['addresses']],
      [3, 'customer.updated', ['addresses']],
      [4, 'customer.updated', ['paymentMethods']],
      [5, 'customer.updated', ['paymentMethods']],
      [6, 'customer.updated', ['addresses']],
    ])
  })

  it('appends order.placed and one order.status_changed per transition, thin and in order', async () => {
    const ada = await store.customers.create(sampleCustomer('w3'))
    const order = await store.orders.create(sampleOrder(ada.id))
    await store.orders.transition(order.id, 'paid', { note: 'captured by Ada Lovelace', actor: ada.email })
    await store.orders.transition(order.id, 'shipped')
    await expect(store.orders.transition(order.id, 'pending')).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    })
    const events = await storedEvents(db().knex, order.id)
    expect(events.map((e) => [e.sequence, e.type, e.aggregateType])).toEqual([
      [1, 'order.placed', 'order'],
      [2, 'order.status_changed', 'order'],
      [3, 'order.status_changed', 'order'],
    ])
    expect(events[0]?.payload).toEqual({
      orderId: order.id,
      number: order.number,
      customerId: ada.id,
      status: 'pending',
      currency: order.currency,
      subtotal: order.subtotal,
      total: order.total,
    })
    expect(events[1]?.payload).toEqual({
      orderId: order.id,
      number: order.number,
      from: 'pending',
      to: 'paid',
      version: 2,
    })
    // The note and the actor stay in the order's history; the outbox never carries them.
    expect(events[1]?.payloadText).not.toContain('Lovelace')
  })

  it('gives every order of a createMany batch its own order.placed with sequence 1', async () => {
    const orders = await store.orders.createMany([sampleOrder(), sampleOrder(), sampleOrder()])
    for (const order of orders) {
      const events = await storedEvents(db().knex, order.id)
      expect(events.map((e) => [e.type, e.sequence, e.payload.number])).toEqual([
        ['order.placed', 1, order.number],
      ])
    }
  })

  it('keeps no personal data in the outbox: after anonymize no payload holds the email, name or phone', async () => {
    const input = sampleCustomer('erase')
    const ada = await store.customers.create(input)
    await store.customers.addAddress(ada.id, SAMPLE_ADDRESS)
    await store.customers.addPaymentMethod(ada.id, SAMPLE_CARD)
    await store.customers.update(ada.id, { email: 'Ada.New@Example.com' })
    const order = await store.orders.create(sampleOrder(ada.id))
    await store.orders.transition(order.id, 'cancelled', { note: `call ${input.phone}`, actor: ada.email })
    await store.customers.anonymize(ada.id)
    const everything = (await storedEvents(db().knex)).map((e) => e.payloadText).join('\n')
    expect(everything).toContain(ada.id)
    for (const secret of [
      input.email,
      input.email.toLowerCase(),
      'Ada.New@Example.com',
      'ada.new@example.com',
      'Lovelace',
      '7946',
      SAMPLE_ADDRESS.line1,
      'SW1Y',
      SAMPLE_CARD.token,
    ]) {
      expect(everything).not.toContain(secret)
    }
  })
})
