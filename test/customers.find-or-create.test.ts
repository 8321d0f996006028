import { inspect } from 'node:util'
import { beforeAll, expect, it } from 'vitest'
import {
  type CheckoutStore,
  createCheckoutStore,
  DuplicateEmailError,
  type FindOrCreateResult,
} from '../src/index.js'
import { tableNames } from '../src/schema/tables.js'
import { SAMPLE_ADDRESS } from './support/checkout-data.js'
import { describeEachDatabase } from './support/databases.js'
import { uniqueEmail } from './support/orders.js'
import { separateStores } from './support/stores.js'

const T = tableNames('checkout_')
const CALLERS = 12

describeEachDatabase('customers.findOrCreate and address reuse', (db, name) => {
  let store: CheckoutStore
  let separate: CheckoutStore[]
  beforeAll(async () => {
    // Several pools on one file, as several processes: WAL, so a reader never makes a COMMIT fail.
    if (name === 'sqlite-file') await db().knex.raw('pragma journal_mode = WAL')
    store = createCheckoutStore(db().knex)
    await store.migrate()
    separate = separateStores(db(), name, CALLERS)
  })

  const count = async (table: string, where: Record<string, string> = {}) => {
    const [row] = await db().knex(table).where(where).count({ n: '*' })
    return Number(row?.n)
  }

  it('creates the customer the first time and finds the same one, by any case of the email, after', async () => {
    const email = uniqueEmail()
    const first = await store.customers.findOrCreate({ email: ` ${email.toUpperCase()} `, name: 'Ada' })
    expect(first.created).toBe(true)
    expect(first.customer).toMatchObject({ email: email.toUpperCase(), name: 'Ada', version: 1 })
    const again = await store.customers.findOrCreate({ email, name: 'Someone else', phone: undefined })
    expect(again).toEqual({ customer: first.customer, created: false })
    expect(await store.customers.get(first.customer.id)).toEqual(first.customer)
  })

  it(`gives ${CALLERS} concurrent callers on separate pools one customer, created exactly once`, async () => {
    const email = uniqueEmail()
    const before = await count(T.customers)
    const results = await Promise.all(
      separate.map((s, i) => s.customers.findOrCreate({ email: i % 2 ? email : email.toUpperCase() })),
    )
    expect(new Set(results.map((r: FindOrCreateResult) => r.customer.id)).size).toBe(1)
    expect(results.filter((r) => r.created)).toHaveLength(1)
    expect(await count(T.customers)).toBe(before + 1)
  })

  it('validates first, card data before anything, and writes nothing', async () => {
    const before = await count(T.customers)
    await expect(store.customers.findOrCreate({ email: 'nope' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'email', message: 'must be a valid email address' }],
    })
    const carded = store.customers.findOrCreate({ email: uniqueEmail(), name: '4111 1111 1111 1111' })
    await expect(carded).rejects.toMatchObject({ code: 'CARD_DATA_REJECTED', httpStatus: 400 })
    await expect(store.customers.findOrCreate(undefined as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
    expect(await count(T.customers)).toBe(before)
  })

  it('names the customer who has the email in DUPLICATE_EMAIL, from create and update, without the email', async () => {
    const email = uniqueEmail()
    const ada = await store.customers.create({ email })
    const error = await store.customers.create({ email: email.toUpperCase() }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DuplicateEmailError)
    expect(error).toMatchObject({ code: 'DUPLICATE_EMAIL', customerId: ada.id, httpStatus: 409 })
    expect((error as Error).message).not.toContain(email)
    // The cause keeps only the driver's codes: nothing of the rejected sign-up.
    expect(inspect((error as Error).cause).toLowerCase()).not.toContain(email.toLowerCase())
    const bob = await store.customers.create({ email: uniqueEmail() })
    await expect(store.customers.update(bob.id, { email })).rejects.toMatchObject({
      code: 'DUPLICATE_EMAIL',
      customerId: ada.id,
    })
    expect((await store.customers.get(bob.id)).version).toBe(1)
  })

  it('returns the saved address when an equal one is added, and saves a different one', async () => {
    const { customer } = await store.customers.findOrCreate({ email: uniqueEmail() })
    const saved = await store.customers.addAddress(customer.id, {
      ...SAMPLE_ADDRESS,
      isDefaultShipping: false,
    })
    // Equal as stored: the country in another case, a field left out rather than null.
    const { region: _region, ...withoutRegion } = SAMPLE_ADDRESS
    const again = await store.customers.addAddress(customer.id, {
      ...withoutRegion,
      country: 'gb',
      isDefaultShipping: undefined,
    })
    expect(again).toEqual(saved)
    expect(await count(T.addresses, { customer_id: customer.id })).toBe(1)

    const other = await store.customers.addAddress(customer.id, { ...SAMPLE_ADDRESS, line2: 'Flat 4' })
    expect(other.id).not.toBe(saved.id)
    const otherCase = await store.customers.addAddress(customer.id, { ...SAMPLE_ADDRESS, city: 'LONDON' })
    expect(otherCase.id).not.toBe(saved.id)
    expect(await count(T.addresses, { customer_id: customer.id })).toBe(3)
  })

  it('makes the saved address a default when the equal one asks for it, clearing the old default', async () => {
    const { customer } = await store.customers.findOrCreate({ email: uniqueEmail() })
    const home = await store.customers.addAddress(customer.id, {
      ...SAMPLE_ADDRESS,
      isDefaultShipping: false,
    })
    const work = await store.customers.addAddress(customer.id, {
      ...SAMPLE_ADDRESS,
      line1: '1 Work Rd',
      isDefaultShipping: true,
    })
    const homeAgain = await store.customers.addAddress(customer.id, {
      ...SAMPLE_ADDRESS,
      isDefaultShipping: true,
      isDefaultBilling: true,
    })
    expect(homeAgain).toMatchObject({
      id: home.id,
      isDefaultShipping: true,
      isDefaultBilling: true,
      version: home.version + 1,
    })
    const stored = await store.customers.get(customer.id)
    expect(stored.addresses.find((a) => a.id === home.id)).toEqual(homeAgain)
    expect(stored.addresses.find((a) => a.id === work.id)?.isDefaultShipping).toBe(false)
    // Asking for nothing new changes nothing.
    expect(await store.customers.addAddress(customer.id, SAMPLE_ADDRESS)).toEqual(homeAgain)
  })

  it(`gives ${CALLERS} concurrent adds of one address on separate pools one saved address`, async () => {
    const { customer } = await store.customers.findOrCreate({ email: uniqueEmail() })
    const results = await Promise.all(
      separate.map((s) => s.customers.addAddress(customer.id, SAMPLE_ADDRESS)),
    )
    expect(new Set(results.map((a) => a.id)).size).toBe(1)
    expect(await count(T.addresses, { customer_id: customer.id })).toBe(1)
  })
})
