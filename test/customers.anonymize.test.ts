import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { beforeAll, expect, it } from 'vitest'
import {
  type CheckoutStore,
  type Customer,
  CustomerHasOpenOrdersError,
  createCheckoutStore,
} from '../src/index.js'
import { tableNames } from '../src/schema/tables.js'
import { detectDialect } from '../src/sql/dialect.js'
import { toDbDate } from '../src/sql/values.js'
import { describeEachDatabase } from './support/databases.js'
import { allTextValues } from './support/erasure.js'

const tables = tableNames('checkout_')

/** Everything that identifies Ada, as she typed it. */
const ADA = {
  email: 'Ada.Personal@Example.com',
  name: 'Ada Lovelace',
  phone: '+44 20 7946 0958',
  line1: '12 St James Sq',
}
const SECRETS = [ADA.email, ADA.name, 'Lovelace', ADA.phone, '7946 0958', ADA.line1, 'St James']

let orderNumber = 5000

/**
 * Fixture rows written straight into the order tables, shaped as the orders repository writes them
 * (JSON as text, timestamps in the dialect's form), so this test does not depend on orders.create.
 */
async function insertOrder(
  knex: Knex,
  order: { customerId: string | null; email: string; status: string; personal: boolean },
): Promise<string> {
  const dialect = detectDialect(knex)
  const now = toDbDate(dialect, new Date())
  const id = uuidv7()
  const snapshot = {
    name: order.personal ? ADA.name : 'Bob Builder',
    company: order.personal ? 'Lovelace Analytics' : null,
    line1: order.personal ? ADA.line1 : '1 Yard Rd',
    line2: order.personal ? 'Flat 3, c/o Lovelace' : null,
    city: 'London',
    region: 'Greater London',
    postalCode: 'SW1Y 4JH',
    country: 'GB',
    phone: order.personal ? ADA.phone : null,
  }
  await knex(tables.orders).insert({
    id,
    number: ++orderNumber,
    customer_id: order.customerId,
    email: order.email,
    email_normalized: order.email.toLowerCase(),
    status: order.status,
    currency: 'GBP',
    subtotal: 3998,
    shipping_total: 500,
    tax_total: 320,
    discount_total: 0,
    total: 4818,
    shipping_address: JSON.stringify(snapshot),
    billing_address: JSON.stringify({ ...snapshot, postalCode: 'EC1A 1BB' }),
    payment: JSON.stringify({ provider: 'stripe', reference: 'pi_123', brand: 'visa', last4: '4242' }),
    note: order.personal ? `Leave with ${ADA.name}, call ${ADA.phone}` : 'Leave at the gate',
    metadata: JSON.stringify({ gift: order.personal ? `for ${ADA.name}` : 'no' }),
    version: 1,
    created_at: now,
    updated_at: now,
  })
  await knex(tables.orderLines).insert({
    id: uuidv7(),
    order_id: id,
    position: 0,
    sku: 'TEE-BLUE-M',
    name: 'Blue tee',
    attributes: JSON.stringify({ size: 'M' }),
    quantity: 2,
    unit_price: 1999,
    total: 3998,
    product_id: null,
    variant_id: null,
    metadata: JSON.stringify({ engraving: order.personal ? ADA.name : 'Bob' }),
  })
  await knex(tables.orderEvents).insert({
    id: uuidv7(),
    order_id: id,
    type: 'order_placed',
    from_status: null,
    to_status: order.status,
    note: order.personal ? `Placed by ${ADA.name} from ${ADA.phone}` : 'placed',
    actor: order.personal ? ADA.email.toLowerCase() : 'system',
    created_at: now,
  })
  return id
}

/** Every row of every library table, in a stable order. */
async function dump(knex: Knex): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {}
  for (const table of Object.values(tables)) {
    if (!(await knex.schema.hasTable(table))) continue
    const rows: Array<Record<string, unknown>> = await knex(table).select('*')
    out[table] = rows.map((r) => JSON.stringify(r)).sort()
  }
  return out
}

describeEachDatabase('customers.anonymize', (db) => {
  let store: CheckoutStore
  let ada: Customer
  let bob: Customer
  let adaOrder: string
  let guestOrder: string
  let bobOrder: string

  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
    ada = await store.customers.create({
      email: ADA.email,
      name: ADA.name,
      phone: ADA.phone,
      metadata: { crm: `${ADA.name} VIP` },
    })
    await store.customers.addAddress(ada.id, {
      name: ADA.name,
      line1: ADA.line1,
      city: 'London',
      postalCode: 'SW1Y 4JH',
      country: 'GB',
      phone: ADA.phone,
      isDefaultShipping: true,
    })
    await store.customers.addPaymentMethod(ada.id, {
      provider: 'stripe',
      token: 'pm_ada',
      brand: 'visa',
      last4: '4242',
      expMonth: 12,
      expYear: 2030,
      isDefault: true,
    })
    bob = await store.customers.create({ email: 'bob@example.com', name: 'Bob Builder' })
    adaOrder = await insertOrder(db().knex, {
      customerId: ada.id,
      email: ADA.email,
      status: 'shipped',
      personal: true,
    })
    // A guest checkout with Ada's email in another case: the same person.
    guestOrder = await insertOrder(db().knex, {
      customerId: null,
      email: ADA.email.toUpperCase(),
      status: 'delivered',
      personal: true,
    })
    bobOrder = await insertOrder(db().knex, {
      customerId: bob.id,
      email: bob.email,
      status: 'paid',
      personal: false,
    })
  })

  it('refuses an unknown customer and bad options', async () => {
    await expect(store.customers.anonymize('01900000-0000-7000-8000-000000000004')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    await expect(store.customers.anonymize(ada.id, { force: 'yes' } as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
    await expect(store.customers.anonymize(ada.id, { hard: true } as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
  })

  it("erases every trace of the customer's personal data from every table", async () => {
    const before = await dump(db().knex)
    const bobBefore = before[tables.orders]?.filter((r) => String(r).includes(bobOrder))
    expect((await allTextValues(db().knex)).some((v) => v.value.includes(ADA.line1))).toBe(true)

    const erased = await store.customers.anonymize(ada.id)
    const placeholder = `${ada.id}@anonymized.invalid`
    expect(erased).toMatchObject({
      id: ada.id,
      email: placeholder,
      name: null,
      phone: null,
      metadata: {},
      version: ada.version + 1,
      addresses: [],
      paymentMethods: [],
    })
    expect(erased.anonymizedAt).toBeInstanceOf(Date)
    expect(await store.customers.get(ada.id)).toEqual(erased)
    expect(await store.customers.findByEmail(ADA.email)).toBeNull()

    const leaks = (await allTextValues(db().knex)).filter((v) =>
      SECRETS.some((s) => v.value.toLowerCase().includes(s.toLowerCase())),
    )
    expect(leaks).toEqual([])

    // Bob's order is untouched.
    const after = await dump(db().knex)
    expect(after[tables.orders]?.filter((r) => String(r).includes(bobOrder))).toEqual(bobBefore)
  })

  it('keeps the orders, lines, amounts, statuses, numbers and events for the books', async () => {
    const orders: Array<Record<string, unknown>> = await db()
      .knex(tables.orders)
      .whereIn('id', [adaOrder, guestOrder])
      .orderBy('number')
    expect(orders).toHaveLength(2)
    for (const order of orders) {
      expect(order).toMatchObject({
        email: `${ada.id}@anonymized.invalid`,
        note: null,
        metadata: null,
        currency: 'GBP',
      })
      expect(
        [order.subtotal, order.shipping_total, order.tax_total, order.discount_total, order.total].map(
          Number,
        ),
      ).toEqual([3998, 500, 320, 0, 4818])
      expect(Number(order.number)).toBeGreaterThan(5000)
      expect(JSON.parse(String(order.shipping_address))).toEqual({
        name: null,
        company: null,
        line1: null,
        line2: null,
        city: null,
        region: 'Greater London',
        postalCode: 'SW1',
        country: 'GB',
        phone: null,
      })
      expect(JSON.parse(String(order.billing_address))).toMatchObject({
        postalCode: 'EC1',
        country: 'GB',
        line1: null,
      })
      expect(JSON.parse(String(order.payment))).toEqual({
        provider: 'stripe',
        reference: 'pi_123',
        brand: 'visa',
        last4: '4242',
      })
    }
    expect(orders.map((o) => o.status)).toEqual(['shipped', 'delivered'])
    const lines = await db().knex(tables.orderLines).whereIn('order_id', [adaOrder, guestOrder])
    expect(lines.map((l) => [l.sku, Number(l.quantity), Number(l.total), l.metadata])).toEqual([
      ['TEE-BLUE-M', 2, 3998, null],
      ['TEE-BLUE-M', 2, 3998, null],
    ])
    const events = await db().knex(tables.orderEvents).whereIn('order_id', [adaOrder, guestOrder])
    // And the orders still read through the store, for the books.
    const order = await store.orders.get(adaOrder)
    expect(order).toMatchObject({
      status: 'shipped',
      total: 4818,
      subtotal: 3998,
      email: `${ada.id}@anonymized.invalid`,
    })
    expect(order.items.map((i) => [i.sku, i.quantity, i.metadata])).toEqual([['TEE-BLUE-M', 2, {}]])
    expect(events.map((e) => [e.type, e.note])).toEqual([
      ['order_placed', null],
      ['order_placed', null],
    ])
  })

  it('a second call returns the customer and changes nothing', async () => {
    const first = await store.customers.get(ada.id)
    const before = await dump(db().knex)
    expect(await store.customers.anonymize(ada.id)).toEqual(first)
    expect(await store.customers.anonymize(ada.id, { force: true })).toEqual(first)
    expect(await dump(db().knex)).toEqual(before)
  })

  it('frees the email for a new customer', async () => {
    const again = await store.customers.create({ email: ADA.email })
    expect(again.id).not.toBe(ada.id)
  })

  it('refuses a customer with an open order unless forced, changing nothing', async () => {
    const cyd = await store.customers.create({
      email: 'cyd@example.com',
      name: 'Cyd Charisse',
      phone: '+1 555 0100',
    })
    await store.customers.addAddress(cyd.id, {
      name: 'Cyd Charisse',
      line1: '9 Dance Ave',
      city: 'LA',
      country: 'US',
    })
    const done = await insertOrder(db().knex, {
      customerId: cyd.id,
      email: cyd.email,
      status: 'delivered',
      personal: false,
    })
    const pending = await insertOrder(db().knex, {
      customerId: cyd.id,
      email: cyd.email,
      status: 'pending',
      personal: false,
    })
    const paid = await insertOrder(db().knex, {
      customerId: cyd.id,
      email: cyd.email,
      status: 'paid',
      personal: false,
    })
    const before = await dump(db().knex)

    const error = await store.customers.anonymize(cyd.id).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CustomerHasOpenOrdersError)
    expect(error).toMatchObject({ code: 'CUSTOMER_HAS_OPEN_ORDERS', id: cyd.id, orderIds: [pending, paid] })
    expect(await dump(db().knex)).toEqual(before)

    const erased = await store.customers.anonymize(cyd.id, { force: true })
    expect(erased).toMatchObject({
      name: null,
      phone: null,
      email: `${cyd.id}@anonymized.invalid`,
      addresses: [],
    })
    const orders = await db().knex(tables.orders).whereIn('id', [done, pending, paid]).orderBy('number')
    expect(orders.map((o) => [o.status, o.email])).toEqual([
      ['delivered', `${cyd.id}@anonymized.invalid`],
      ['pending', `${cyd.id}@anonymized.invalid`],
      ['paid', `${cyd.id}@anonymized.invalid`],
    ])
    const leaks = (await allTextValues(db().knex)).filter((v) =>
      ['Cyd Charisse', 'cyd@example.com', '9 Dance Ave', '555 0100'].some((s) =>
        v.value.toLowerCase().includes(s.toLowerCase()),
      ),
    )
    expect(leaks).toEqual([])
  })

  it('runs inside store.transaction and rolls back with it', async () => {
    const dee = await store.customers.create({ email: 'dee@example.com', name: 'Dee' })
    await expect(
      store.transaction(async (tx) => {
        await tx.customers.anonymize(dee.id)
        throw new Error('host changed its mind')
      }),
    ).rejects.toThrow('host changed its mind')
    expect(await store.customers.get(dee.id)).toEqual(dee)
  })
})
