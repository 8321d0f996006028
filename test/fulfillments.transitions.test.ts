import { beforeAll, expect, it } from 'vitest'
import {
  type CheckoutStore,
  createCheckoutStore,
  FULFILLMENT_TRANSITIONS,
  type Fulfillment,
  type FulfillmentStatus,
} from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { fulfillmentState, orderWithLines, withoutOutbox } from './support/fulfillments.js'
import { insideTransaction, recordQueries } from './support/orders.js'
import { refundUnits } from './support/refunds.js'

const MISSING = '0190a000-0000-7000-8000-000000000000'

describeEachDatabase('fulfillments.transitions', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  const move = (parcel: Fulfillment, to: FulfillmentStatus) => {
    if (to === 'shipped') return store.fulfillments.ship(parcel.id)
    if (to === 'delivered') return store.fulfillments.deliver(parcel.id)
    if (to === 'cancelled') return store.fulfillments.cancel(parcel.id)
    throw new Error(`no move to ${to}`)
  }

  /** A fulfillment of one unit, moved along `path`. */
  const parcelAt = async (path: FulfillmentStatus[]) => {
    const order = await orderWithLines(store, [2])
    let parcel = await store.fulfillments.create(order.id, {
      items: [{ lineId: order.items[0]?.id as string, quantity: 1 }],
    })
    for (const to of path) parcel = await move(parcel, to)
    return parcel
  }

  it('ships a shirt in size M in two parcels, adds tracking, marks both delivered, and the order follows', async () => {
    const order = await orderWithLines(store, [2])
    const shirt = order.items[0]?.id as string
    const first = await store.fulfillments.create(order.id, { items: [{ lineId: shirt, quantity: 1 }] })
    const second = await store.fulfillments.create(order.id, { items: [{ lineId: shirt, quantity: 1 }] })

    const shipped = await store.fulfillments.ship(first.id, {
      carrier: 'USPS',
      trackingNumber: '9400111899223100012345',
      trackingUrl: 'https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223100012345',
    })
    expect(shipped).toMatchObject({ status: 'shipped', carrier: 'USPS', version: 2, deliveredAt: null })
    expect(shipped.shippedAt).toBeInstanceOf(Date)
    // One parcel of two on its way: the order is fulfilled (every unit in a parcel) but not yet shipped.
    expect(await store.orders.get(order.id)).toMatchObject({ status: 'paid', fulfillmentStatus: 'fulfilled' })

    await store.fulfillments.ship(second.id, { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' })
    const afterShipping = await store.orders.get(order.id)
    expect(afterShipping).toMatchObject({ status: 'shipped', version: order.version + 1 })

    await store.fulfillments.deliver(first.id)
    expect((await store.orders.get(order.id)).status).toBe('shipped')
    const delivered = await store.fulfillments.deliver(second.id)
    expect(delivered).toMatchObject({ status: 'delivered', version: 3 })
    expect(delivered.deliveredAt).toBeInstanceOf(Date)
    expect(await store.orders.get(order.id)).toMatchObject({
      status: 'delivered',
      version: order.version + 2,
      fulfillmentStatus: 'fulfilled',
    })

    const history = await store.orders.events(order.id)
    expect(history.map((e) => [e.from, e.to])).toEqual([
      [null, 'pending'],
      ['pending', 'paid'],
      ['paid', 'shipped'],
      ['shipped', 'delivered'],
    ])
    const list = await store.fulfillments.list(order.id)
    expect(list.map((f) => [f.id, f.status, f.trackingNumber])).toEqual([
      [first.id, 'delivered', '9400111899223100012345'],
      [second.id, 'delivered', '1Z999AA10123456784'],
    ])
  })

  it('sets tracking on ship: a field left out keeps its value, null clears it', async () => {
    const order = await orderWithLines(store, [1])
    const parcel = await store.fulfillments.create(order.id, {
      carrier: 'FedEx',
      trackingNumber: '986578788855',
      trackingUrl: 'https://www.fedex.com/fedextrack/?trknbr=986578788855',
    })
    const shipped = await store.fulfillments.ship(parcel.id, {
      trackingUrl: null,
      trackingNumber: '449044304137821',
    })
    expect(shipped).toMatchObject({ carrier: 'FedEx', trackingNumber: '449044304137821', trackingUrl: null })
    expect((await store.fulfillments.list(order.id))[0]).toEqual(shipped)
  })

  it('follows the transition table and refuses every other move, writing nothing', async () => {
    const paths: Record<FulfillmentStatus, FulfillmentStatus[]> = {
      pending: [],
      shipped: ['shipped'],
      delivered: ['shipped', 'delivered'],
      cancelled: ['cancelled'],
    }
    for (const from of Object.keys(paths) as FulfillmentStatus[]) {
      for (const to of ['shipped', 'delivered', 'cancelled'] as FulfillmentStatus[]) {
        const parcel = await parcelAt(paths[from])
        if (FULFILLMENT_TRANSITIONS[from].includes(to)) {
          await expect(move(parcel, to), `${from} → ${to}`).resolves.toMatchObject({ status: to })
          continue
        }
        const before = await fulfillmentState(db().knex)
        await expect(move(parcel, to), `${from} → ${to}`).rejects.toMatchObject({
          code: 'INVALID_TRANSITION',
          id: parcel.id,
          from,
          to,
        })
        expect(await fulfillmentState(db().knex)).toEqual(before)
        expect((await store.fulfillments.list(parcel.orderId))[0]).toEqual(parcel)
      }
    }
  })

  it('gives a cancelled parcel’s units back, from pending or shipped', async () => {
    const order = await orderWithLines(store, [2])
    const line = order.items[0]?.id as string
    const all = await store.fulfillments.create(order.id)
    expect((await store.orders.get(order.id)).fulfillmentStatus).toBe('fulfilled')
    const cancelled = await store.fulfillments.cancel(all.id)
    expect(cancelled).toMatchObject({ status: 'cancelled', version: 2 })
    expect(cancelled.cancelledAt).toBeInstanceOf(Date)
    expect((await store.orders.get(order.id)).fulfillmentStatus).toBe('unfulfilled')

    const one = await store.fulfillments.create(order.id, { items: [{ lineId: line, quantity: 1 }] })
    await store.fulfillments.ship(one.id)
    const lost = await store.fulfillments.cancel(one.id)
    expect(lost.shippedAt).toBeInstanceOf(Date)
    expect((await store.orders.get(order.id)).fulfillmentStatus).toBe('unfulfilled')
    const again = await store.fulfillments.create(order.id)
    expect(again.items).toEqual([{ lineId: line, quantity: 2 }])
    expect(await store.fulfillments.list(order.id)).toHaveLength(3)
  })

  it('counts every unit not refunded by line: the order ships without its refunded unit', async () => {
    const order = await orderWithLines(store, [3, 1])
    const [shirt, cap] = order.items.map((i) => i.id) as [string, string]
    await refundUnits(store, order.id, shirt, 1)
    const parcel = await store.fulfillments.create(order.id)
    expect(parcel.items).toEqual([
      { lineId: shirt, quantity: 2 },
      { lineId: cap, quantity: 1 },
    ])
    await store.fulfillments.ship(parcel.id)
    expect((await store.orders.get(order.id)).status).toBe('shipped')
    // A return: refunding a unit that already shipped stays allowed and holds nothing back.
    await refundUnits(store, order.id, cap, 1)
    await store.fulfillments.deliver(parcel.id)
    expect(await store.orders.get(order.id)).toMatchObject({
      status: 'delivered',
      fulfillmentStatus: 'fulfilled',
    })
  })

  it('follows a refund by line: when every unit left has shipped, the order is shipped and fulfilled', async () => {
    const order = await orderWithLines(store, [2])
    const shirt = order.items[0]?.id as string
    const parcel = await store.fulfillments.create(order.id, { items: [{ lineId: shirt, quantity: 1 }] })
    await store.fulfillments.ship(parcel.id)
    expect(await store.orders.get(order.id)).toMatchObject({
      status: 'paid',
      fulfillmentStatus: 'partially_fulfilled',
    })
    await refundUnits(store, order.id, shirt, 1)
    const after = await store.orders.get(order.id)
    expect(after).toMatchObject({
      status: 'shipped',
      fulfillmentStatus: 'fulfilled',
      paymentStatus: 'partially_refunded',
    })
    const events = await store.orders.events(order.id)
    expect(events.map((e) => [e.from, e.to])).toEqual([
      [null, 'pending'],
      ['pending', 'paid'],
      ['paid', 'shipped'],
    ])
  })

  it('does not ship a parcel of an order cancelled or refunded since, but may cancel it', async () => {
    for (const status of ['cancelled', 'refunded'] as const) {
      const order = await orderWithLines(store, [1])
      const parcel = await store.fulfillments.create(order.id)
      await store.orders.transition(order.id, status)
      await expect(store.fulfillments.ship(parcel.id)).rejects.toMatchObject({
        code: 'INVALID_TRANSITION',
        from: status,
      })
      await expect(store.fulfillments.cancel(parcel.id)).resolves.toMatchObject({ status: 'cancelled' })
      expect((await store.orders.get(order.id)).status).toBe(status)
    }
  })

  it('leaves a shipped order shipped when a parcel is cancelled', async () => {
    const order = await orderWithLines(store, [1])
    const parcel = await store.fulfillments.ship((await store.fulfillments.create(order.id)).id)
    expect((await store.orders.get(order.id)).status).toBe('shipped')
    await store.fulfillments.cancel(parcel.id)
    expect(await store.orders.get(order.id)).toMatchObject({
      status: 'shipped',
      fulfillmentStatus: 'unfulfilled',
    })
  })

  it('answers NOT_FOUND and VALIDATION_FAILED before writing', async () => {
    for (const call of [
      () => store.fulfillments.ship(MISSING),
      () => store.fulfillments.deliver(MISSING),
      () => store.fulfillments.cancel(MISSING),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'fulfillment' })
    }
    await expect(store.fulfillments.list(MISSING)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'order',
    })
    const parcel = await parcelAt([])
    await expect(store.fulfillments.ship(parcel.id, { trackingUrl: 'mailto:a@b.c' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'trackingUrl' }],
    })
    await expect(
      store.fulfillments.ship(parcel.id, { trackingNumber: '5555 5555 5555 4444' }),
    ).rejects.toMatchObject({
      code: 'CARD_DATA_REJECTED',
    })
    expect((await store.fulfillments.list(parcel.orderId))[0]).toEqual(parcel)
  })

  it('runs inside store.transaction and rolls back with it', async () => {
    const order = await orderWithLines(store, [2])
    const before = await fulfillmentState(db().knex)
    await expect(
      store.transaction(async (tx) => {
        const parcel = await tx.fulfillments.create(order.id)
        await tx.fulfillments.ship(parcel.id)
        expect((await tx.orders.get(order.id)).status).toBe('shipped')
        expect(await tx.fulfillments.list(order.id)).toHaveLength(1)
        throw new Error('host changed its mind')
      }),
    ).rejects.toThrow('host changed its mind')
    expect(await fulfillmentState(db().knex)).toEqual(before)
    expect(await store.orders.get(order.id)).toMatchObject({
      status: 'paid',
      fulfillmentStatus: 'unfulfilled',
    })
  })

  it('ships in one transaction of a bounded number of statements', async () => {
    const order = await orderWithLines(store, [1, 1, 1])
    const parcel = await store.fulfillments.create(order.id)
    const recorded = await recordQueries(db().knex, () => store.fulfillments.ship(parcel.id))
    // The outbox's own statements are the outbox's to count.
    const sql = withoutOutbox(recorded.sql)
    // Order lock (found through the parcel), the parcel with its lines, the update, the goods, the order
    // (which advances its outbox counter too), its history event.
    expect(insideTransaction(sql).length).toBeLessThanOrEqual(6)
    // On MySQL/MariaDB one read outside: the parcel's order, so the order's lock is the first one taken.
    const outside = db().name === 'mysql' ? 1 : 0
    expect(
      sql.filter((s) => !/^(begin|start transaction|commit|savepoint|release)/i.test(s.trim())),
    ).toHaveLength(6 + outside)
  })
})
