import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, NotFoundError } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder, item, recordQueries } from './support/orders.js'

describeEachDatabase('orders.read', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('gets an order with its lines in position order, in exactly 2 queries', async () => {
    const items = ['C', 'A', 'B'].map((sku) => item({ sku }))
    const order = await store.orders.create(guestOrder({ items, metadata: { channel: 'web' } }))
    const { result, sql } = await recordQueries(db().knex, () => store.orders.get(order.id))
    expect(sql).toHaveLength(2)
    expect(result).toEqual(order)
    expect(result.items.map((i) => i.sku)).toEqual(['C', 'A', 'B'])
    expect(result.metadata).toEqual({ channel: 'web' })
    expect((await recordQueries(db().knex, () => store.orders.find(order.id))).sql).toHaveLength(2)
  })

  it('get throws NOT_FOUND and find returns null for an unknown id', async () => {
    const missing = store.orders.get('01890000-0000-7000-8000-000000000000')
    await expect(missing).rejects.toBeInstanceOf(NotFoundError)
    await expect(missing).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'order' })
    expect(await store.orders.find('01890000-0000-7000-8000-000000000000')).toBeNull()
  })

  it('accepts store ids whose digit groups happen to form a card number (2 UUIDv7s in 10,000)', async () => {
    // '556-7541-8046-85417' is 16 digits of Maestro's range that pass Luhn: still an id, not card data.
    expect(await store.orders.find('019a159f-c556-7541-8046-85417dbbf911')).toBeNull()
    await expect(store.orders.events('019a159f-c556-7541-8046-85417dbbf911')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    // The same digits outside a canonical UUID are still refused.
    await expect(store.orders.find('c556-7541-8046-85417d')).rejects.toMatchObject({
      code: 'CARD_DATA_REJECTED',
    })
  })

  it.each([[''], ['x'.repeat(37)], [42], [null]])(
    'rejects %j as an id with VALIDATION_FAILED',
    async (id) => {
      for (const call of [store.orders.get, store.orders.find, store.orders.events]) {
        await expect(call(id as string)).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
          issues: [expect.objectContaining({ path: 'id' })],
        })
      }
    },
  )

  it('lists the history oldest first, starting with order_placed', async () => {
    const order = await store.orders.create(guestOrder())
    await store.orders.transition(order.id, 'paid', { note: 'captured', actor: 'stripe-webhook' })
    await store.orders.transition(order.id, 'shipped')
    const events = await store.orders.events(order.id)
    expect(events.map((e) => [e.type, e.from, e.to])).toEqual([
      ['order_placed', null, 'pending'],
      ['status_changed', 'pending', 'paid'],
      ['status_changed', 'paid', 'shipped'],
    ])
    expect(events[0]).toMatchObject({ note: null, actor: null, at: order.createdAt })
    expect(events[1]).toMatchObject({ note: 'captured', actor: 'stripe-webhook' })
    expect(Object.keys(events[0] ?? {}).sort()).toEqual(['actor', 'at', 'from', 'id', 'note', 'to', 'type'])
    for (const e of events) expect(e.at).toBeInstanceOf(Date)
  })

  it('events throws NOT_FOUND for an unknown order', async () => {
    await expect(store.orders.events('01890000-0000-7000-8000-000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })
})
