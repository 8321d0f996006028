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

  it('accepts store ids that happen to hold a Luhn-valid digit run (about 0.6% of UUIDv7s)', async () => {
    // '515-78663379173' is 14 digits and passes the Luhn check: still an id, not card data.
    expect(await store.orders.find('01a20ab0-726c-7a8a-a515-78663379173c')).toBeNull()
    await expect(store.orders.events('01a20ab0-726c-7a8a-a515-78663379173c')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    // The same run outside a canonical UUID is still refused.
    await expect(store.orders.find('a515-78663379173c')).rejects.toMatchObject({ code: 'CARD_DATA_REJECTED' })
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
