import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type OrderStatus } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { fulfillmentState, orderWithLines, withoutOutbox } from './support/fulfillments.js'
import { insideTransaction, recordQueries } from './support/orders.js'
import { refundUnits } from './support/refunds.js'

/** Tracking numbers in the formats carriers print them: long digit strings that are not card numbers. */
const TRACKING_NUMBERS = {
  'UPS 1Z': '1Z999AA10123456784',
  'UPS 1Z, spaced': '1Z 999 AA1 01 2345 678 4',
  'USPS 22 digits': '9400111899223100012345',
  'USPS 22 digits, Priority': '9405511899223197428490',
  'USPS 22 digits, spaced': '9400 1118 9922 3100 0123 45',
  'USPS 26 digits': '92055901755477000271990251',
  'USPS with ZIP routing, 30 digits': '420221539101026837331000039521',
  'FedEx 12 digits': '986578788855',
  'FedEx 15 digits': '449044304137821',
  'FedEx 20 digits': '61299998820821171811',
  'FedEx 22 digits': '9611020987654312345672',
  'DHL Express 10 digits': '1234567890',
  'UPU S10': 'EA123456785US',
  'SSCC 20 digits': '00340434161094017398',
}

describeEachDatabase('fulfillments.create', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('takes the units asked for, with tracking, and the order counts them', async () => {
    const order = await orderWithLines(store, [2, 1])
    const [shirt, cap] = order.items as [(typeof order.items)[0], (typeof order.items)[0]]
    const parcel = await store.fulfillments.create(
      order.id,
      {
        items: [{ lineId: shirt.id, quantity: 1 }],
        carrier: 'UPS',
        trackingNumber: '1Z999AA10123456784',
        trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
        metadata: { warehouse: 'north' },
      },
      { idempotencyKey: 'ship-1' },
    )
    expect(parcel).toMatchObject({
      orderId: order.id,
      status: 'pending',
      items: [{ lineId: shirt.id, quantity: 1 }],
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456784',
      trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
      metadata: { warehouse: 'north' },
      version: 1,
      shippedAt: null,
      deliveredAt: null,
      cancelledAt: null,
    })
    expect(parcel.createdAt).toBeInstanceOf(Date)
    expect(await store.fulfillments.list(order.id)).toEqual([parcel])
    const after = await store.orders.get(order.id)
    expect(after.fulfillmentStatus).toBe('partially_fulfilled')
    // A pending parcel moves goods, not the order.
    expect(after.status).toBe('paid')

    const rest = await store.fulfillments.create(order.id, {
      items: [
        { lineId: cap.id, quantity: 1 },
        { lineId: shirt.id, quantity: 1 },
      ],
    })
    expect(rest.items).toEqual([
      { lineId: cap.id, quantity: 1 },
      { lineId: shirt.id, quantity: 1 },
    ])
    expect((await store.orders.get(order.id)).fulfillmentStatus).toBe('fulfilled')
    expect((await store.fulfillments.list(order.id)).map((f) => f.id)).toEqual([parcel.id, rest.id])
  })

  it('takes every unit left when no items are given', async () => {
    const order = await orderWithLines(store, [3, 2])
    const [shirt, cap] = order.items as [(typeof order.items)[0], (typeof order.items)[0]]
    await store.fulfillments.create(order.id, { items: [{ lineId: shirt.id, quantity: 2 }] })
    const rest = await store.fulfillments.create(order.id)
    expect(rest.items).toEqual([
      { lineId: shirt.id, quantity: 1 },
      { lineId: cap.id, quantity: 2 },
    ])
    expect((await store.orders.get(order.id)).fulfillmentStatus).toBe('fulfilled')
    const before = await fulfillmentState(db().knex)
    await expect(store.fulfillments.create(order.id)).rejects.toMatchObject({
      code: 'BALANCE_EXCEEDED',
      available: 0,
    })
    expect(await fulfillmentState(db().knex)).toEqual(before)
  })

  it('refuses more units than are neither fulfilled nor refunded, writing nothing', async () => {
    const order = await orderWithLines(store, [3, 1])
    const [shirt, cap] = order.items as [(typeof order.items)[0], (typeof order.items)[0]]
    await store.fulfillments.create(order.id, { items: [{ lineId: shirt.id, quantity: 1 }] })
    await refundUnits(store, order.id, shirt.id, 1)
    const before = await fulfillmentState(db().knex)
    await expect(
      store.fulfillments.create(order.id, {
        items: [
          { lineId: cap.id, quantity: 1 },
          { lineId: shirt.id, quantity: 2 },
        ],
      }),
    ).rejects.toMatchObject({ code: 'BALANCE_EXCEEDED', requested: 2, available: 1 })
    expect(await fulfillmentState(db().knex)).toEqual(before)

    // No items: the one unit neither shipped nor refunded, and the cap.
    const rest = await store.fulfillments.create(order.id)
    expect(rest.items).toEqual([
      { lineId: shirt.id, quantity: 1 },
      { lineId: cap.id, quantity: 1 },
    ])
    // Every unit not refunded is in a fulfillment.
    expect((await store.orders.get(order.id)).fulfillmentStatus).toBe('fulfilled')
  })

  for (const status of ['pending', 'cancelled', 'refunded'] as OrderStatus[]) {
    it(`refuses a fulfillment of a ${status} order with INVALID_TRANSITION`, async () => {
      const order = await orderWithLines(store, [1], status)
      const before = await fulfillmentState(db().knex)
      await expect(store.fulfillments.create(order.id)).rejects.toMatchObject({
        code: 'INVALID_TRANSITION',
        from: status,
      })
      expect(await fulfillmentState(db().knex)).toEqual(before)
    })
  }

  it('accepts shipped and delivered orders (parcels recorded after the fact)', async () => {
    for (const status of ['shipped', 'delivered'] as OrderStatus[]) {
      const order = await orderWithLines(store, [1], status)
      await expect(store.fulfillments.create(order.id)).resolves.toMatchObject({ status: 'pending' })
    }
  })

  it('replays an idempotency key scoped to its order, and refuses it for another input', async () => {
    const order = await orderWithLines(store, [4])
    const line = order.items[0]?.id as string
    const input = { items: [{ lineId: line, quantity: 1 }], carrier: 'DHL' }
    const first = await store.fulfillments.create(order.id, input, { idempotencyKey: 'k-1' })
    const before = await fulfillmentState(db().knex)
    expect(await store.fulfillments.create(order.id, input, { idempotencyKey: 'k-1' })).toEqual(first)
    await expect(
      store.fulfillments.create(order.id, { ...input, carrier: 'UPS' }, { idempotencyKey: 'k-1' }),
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', httpStatus: 422 })
    expect(await fulfillmentState(db().knex)).toEqual(before)

    // The same key on another order is another request.
    const other = await orderWithLines(store, [1])
    const elsewhere = await store.fulfillments.create(other.id, {}, { idempotencyKey: 'k-1' })
    expect(elsewhere.orderId).toBe(other.id)
  })

  it('refuses a line of another order and a line named twice', async () => {
    const order = await orderWithLines(store, [2])
    const other = await orderWithLines(store, [2])
    const line = order.items[0]?.id as string
    await expect(
      store.fulfillments.create(order.id, { items: [{ lineId: other.items[0]?.id as string, quantity: 1 }] }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'items.0.lineId' }] })
    await expect(
      store.fulfillments.create(order.id, {
        items: [
          { lineId: line, quantity: 1 },
          { lineId: line, quantity: 1 },
        ],
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'items.1.lineId' }] })
    expect(await store.fulfillments.list(order.id)).toEqual([])
  })

  it('validates every field and never echoes the value', async () => {
    const order = await orderWithLines(store, [1])
    const line = order.items[0]?.id as string
    const bad = [
      [{ carrier: 'x'.repeat(65) }, 'carrier'],
      [{ trackingNumber: 'y'.repeat(129) }, 'trackingNumber'],
      [{ trackingUrl: 'javascript:alert(1)' }, 'trackingUrl'],
      [{ trackingUrl: 'ftp://example.com/parcel' }, 'trackingUrl'],
      [{ trackingUrl: `https://example.com/${'z'.repeat(2030)}` }, 'trackingUrl'],
      [{ items: [{ lineId: line, quantity: 0 }] }, 'items.0.quantity'],
      [{ items: [{ lineId: line, quantity: 1.5 }] }, 'items.0.quantity'],
      [{ items: [] }, 'items'],
      [{ metadata: { nested: { a: 1 } } }, 'metadata.nested'],
      [{ carrier: 'UPS', extra: true }, ''],
    ] as const
    for (const [input, path] of bad) {
      const error = await store.fulfillments.create(order.id, input as never).catch((e: unknown) => e)
      expect(error, path).toMatchObject({ code: 'VALIDATION_FAILED' })
      const issues = (error as { issues: Array<{ path: string }> }).issues
      expect(issues.map((i) => i.path)).toContain(path)
      expect(JSON.stringify(issues) + (error as Error).message).not.toMatch(/javascript|ftp:|yyyy|zzzz/)
    }
    await expect(store.fulfillments.create(order.id, {}, { idempotencyKey: '' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
    await expect(store.fulfillments.create('x'.repeat(37))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
    await expect(store.fulfillments.create('0190a000-0000-7000-8000-000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'order',
    })
    expect(await store.fulfillments.list(order.id)).toEqual([])
  })

  it('looks for card data first, in every argument, and never repeats it', async () => {
    const order = await orderWithLines(store, [1])
    const card = '4111 1111 1111 1111'
    const cases: Array<() => Promise<unknown>> = [
      () => store.fulfillments.create(order.id, { trackingNumber: card }),
      () => store.fulfillments.create(order.id, { metadata: { note: card } }),
      () => store.fulfillments.create(order.id, { metadata: { cvc: '123' } }),
      // Card data wins over a bad order id and over other invalid fields.
      () => store.fulfillments.create('x'.repeat(40), { carrier: 'x'.repeat(99), trackingNumber: card }),
      () => store.fulfillments.create(order.id, {}, { idempotencyKey: card }),
    ]
    for (const call of cases) {
      const error = await call().catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'CARD_DATA_REJECTED' })
      expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('1111')
    }
    expect(await store.fulfillments.list(order.id)).toEqual([])
  })

  for (const [format, trackingNumber] of Object.entries(TRACKING_NUMBERS)) {
    it(`accepts a ${format} tracking number on create and ship`, async () => {
      const order = await orderWithLines(store, [1])
      const parcel = await store.fulfillments.create(order.id, { trackingNumber })
      expect(parcel.trackingNumber).toBe(trackingNumber)
      const shipped = await store.fulfillments.ship(parcel.id, { trackingNumber, carrier: format })
      expect(shipped.trackingNumber).toBe(trackingNumber)
      expect((await store.fulfillments.list(order.id))[0]?.trackingNumber).toBe(trackingNumber)
    })
  }

  it('writes in one transaction and lists in two statements whatever the count', async () => {
    const knex = db().knex
    const order = await orderWithLines(store, [5, 5])
    const line = order.items[0]?.id as string
    const create = await recordQueries(knex, () =>
      store.fulfillments.create(
        order.id,
        { items: [{ lineId: line, quantity: 1 }] },
        { idempotencyKey: 'q' },
      ),
    )
    // Lock, key look-up, goods, the lines' counters, fulfillment, its lines, key, order status (which
    // advances the order's outbox counter too). The outbox's own statements are the outbox's to count.
    expect(insideTransaction(withoutOutbox(create.sql)).length).toBeLessThanOrEqual(8)

    const counts: number[] = []
    for (let parcels = 1; parcels <= 4; parcels++) {
      if (parcels > 1) await store.fulfillments.create(order.id, { items: [{ lineId: line, quantity: 1 }] })
      const { result, sql } = await recordQueries(knex, () => store.fulfillments.list(order.id))
      expect(result).toHaveLength(parcels)
      counts.push(sql.length)
    }
    expect(counts).toEqual([2, 2, 2, 2])
    const empty = await orderWithLines(store, [1])
    const none = await recordQueries(knex, () => store.fulfillments.list(empty.id))
    expect(none.result).toEqual([])
    expect(none.sql).toHaveLength(1)
    // An order read carries fulfillmentStatus at the same statement count as before.
    const read = await recordQueries(knex, () => store.orders.get(order.id))
    expect(read.result.fulfillmentStatus).toBe('partially_fulfilled')
    expect(read.sql).toHaveLength(2)
  })
})
