import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder, item, orderTableState, T } from './support/orders.js'

const NUL = 'a\u0000b'
const LONE_HIGH = 'a\uD83Db'
const LONE_LOW = '\uDE00b'

const rejection = async (call: () => Promise<unknown>) => {
  const error = await call().catch((e: unknown) => e)
  expect(error).toMatchObject({ code: 'VALIDATION_FAILED' })
  return (error as { issues: { path: string }[] }).issues.map((i) => i.path)
}

describeEachDatabase('text: what a database cannot keep exactly is refused', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('refuses NUL and lone surrogates in lookups: ids, keys, search, findByEmail, the list email filter', async () => {
    for (const bad of [NUL, LONE_HIGH, LONE_LOW]) {
      expect(await rejection(() => store.orders.get(bad))).toContain('id')
      expect(await rejection(() => store.customers.find(bad))).toContain('id')
      expect(await rejection(() => store.customers.findByEmail(`${bad}@example.com`))).toContain('email')
      expect(await rejection(() => store.customers.list({ search: bad }))).toContain('options.search')
      expect(await rejection(() => store.orders.list({ email: bad }))).toContain('email')
      expect(await rejection(() => store.orders.list({ customerId: bad }))).toContain('customerId')
      expect(
        await rejection(() => store.orders.create(guestOrder(), { idempotencyKey: `key-${bad}` })),
      ).toContain('idempotencyKey')
    }
  })

  it('refuses NUL and lone surrogates in every string stored in a text column, writing nothing', async () => {
    const before = await orderTableState(db().knex)
    for (const bad of [NUL, LONE_HIGH, LONE_LOW]) {
      expect(await rejection(() => store.orders.create(guestOrder({ note: bad })))).toContain('note')
      expect(
        await rejection(() => store.orders.create(guestOrder({ items: [item({ name: bad })] }))),
      ).toContain('items.0.name')
      expect(
        await rejection(() => store.customers.create({ email: 'text@example.com', name: bad })),
      ).toContain('name')
    }
    expect(await orderTableState(db().knex)).toEqual(before)
    expect(await db().knex(T.customers).where({ email_normalized: 'text@example.com' })).toEqual([])
  })

  it('keeps metadata exactly, NUL and lone surrogates included: JSON text escapes them', async () => {
    const metadata = { [NUL]: LONE_HIGH, k: `${LONE_LOW}${NUL}` }
    const order = await store.orders.create(guestOrder({ metadata }))
    expect((await store.orders.get(order.id)).metadata).toEqual(metadata)
  })

  it('keeps paired surrogates (astral characters) byte for byte', async () => {
    const note = 'gift 🎁 for 𝔄𝔡𝔞 👩‍💻'
    const order = await store.orders.create(guestOrder({ note }), { idempotencyKey: 'key-🎁' })
    expect((await store.orders.get(order.id)).note).toBe(note)
    expect(await store.orders.create(guestOrder({ note }), { idempotencyKey: 'key-🎁' })).toEqual(order)
  })

  it('refuses idempotency keys and payment tokens with surrounding whitespace, so no two keys compare equal on one dialect only', async () => {
    const order = await store.orders.create(guestOrder(), { idempotencyKey: 'pad-key' })
    for (const key of ['pad-key ', ' pad-key', 'pad-key\t']) {
      expect(
        await rejection(() => store.orders.create(guestOrder({ note: 'other' }), { idempotencyKey: key })),
      ).toContain('idempotencyKey')
    }
    expect(await store.orders.create(guestOrder(), { idempotencyKey: 'pad-key' })).toEqual(order)
    const customer = await store.customers.create({ email: 'tokens@example.com' })
    const method = { provider: 'stripe', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2040 }
    await store.customers.addPaymentMethod(customer.id, { ...method, token: 'pm_1' })
    expect(
      await rejection(() => store.customers.addPaymentMethod(customer.id, { ...method, token: 'pm_1 ' })),
    ).toContain('token')
    expect((await store.customers.get(customer.id)).paymentMethods).toHaveLength(1)
  })
})
