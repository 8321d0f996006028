import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type PaymentMethodInput } from '../src/index.js'
import { tableNames } from '../src/schema/tables.js'
import { describeEachDatabase } from './support/databases.js'

const tables = tableNames('checkout_')
const MISSING = '01900000-0000-7000-8000-000000000003'
let serial = 0

const visa: PaymentMethodInput = {
  provider: 'stripe',
  token: 'pm_1Q2w3E',
  brand: 'visa',
  last4: '4242',
  expMonth: 12,
  expYear: 2030,
  fingerprint: 'fp_abc',
}

describeEachDatabase('customers payment methods', (db) => {
  let store: CheckoutStore

  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  const newCustomer = () => store.customers.create({ email: `pm-${++serial}@example.com` })
  const methodRows = async () => db().knex(tables.paymentMethods).orderBy('id')

  it('saves a payment method and reads it back', async () => {
    const c = await newCustomer()
    const method = await store.customers.addPaymentMethod(c.id, visa)
    const { isDefault: _omit, ...fields } = { ...visa, isDefault: undefined }
    expect(method).toMatchObject({
      ...fields,
      customerId: c.id,
      isDefault: false,
      expired: false,
      version: 1,
    })
    expect((await store.customers.get(c.id)).paymentMethods).toEqual([method])
  })

  it('stores nothing but token, brand, last4, expiry and fingerprint', async () => {
    const c = await newCustomer()
    await store.customers.addPaymentMethod(c.id, { ...visa, fingerprint: null })
    const row = await db().knex(tables.paymentMethods).where('customer_id', c.id).first()
    expect(Object.keys(row).sort()).toEqual(
      [
        'id',
        'customer_id',
        'provider',
        'token',
        'brand',
        'last4',
        'exp_month',
        'exp_year',
        'fingerprint',
        'default_for',
        'version',
        'created_at',
        'updated_at',
      ].sort(),
    )
  })

  it('returns the method already saved when the same provider and token are saved again', async () => {
    const c = await newCustomer()
    const first = await store.customers.addPaymentMethod(c.id, { ...visa, isDefault: true })
    const again = await store.customers.addPaymentMethod(c.id, {
      ...visa,
      brand: 'mastercard',
      last4: '0000',
    })
    expect(again).toEqual({ ...first, expired: again.expired })
    expect(await methodRows().then((rows) => rows.filter((r) => r.customer_id === c.id))).toHaveLength(1)
    // Another provider with the same token is another method; so is the same token for another customer.
    await store.customers.addPaymentMethod(c.id, { ...visa, provider: 'adyen' })
    const other = await newCustomer()
    const theirs = await store.customers.addPaymentMethod(other.id, visa)
    expect(theirs.id).not.toBe(first.id)
    expect((await store.customers.get(c.id)).paymentMethods).toHaveLength(2)
  })

  it('saving the same token concurrently yields one method', async () => {
    const c = await newCustomer()
    const results = await Promise.all(
      Array.from({ length: 4 }, () => store.customers.addPaymentMethod(c.id, { ...visa, token: 'pm_race' })),
    )
    expect(new Set(results.map((m) => m.id)).size).toBe(1)
    expect((await store.customers.get(c.id)).paymentMethods).toHaveLength(1)
  })

  it('keeps one default method per customer', async () => {
    const c = await newCustomer()
    await store.customers.addPaymentMethod(c.id, { ...visa, token: 'pm_a', isDefault: true })
    await store.customers.addPaymentMethod(c.id, { ...visa, token: 'pm_b' })
    await store.customers.addPaymentMethod(c.id, { ...visa, token: 'pm_c', isDefault: true })
    const methods = (await store.customers.get(c.id)).paymentMethods
    expect(methods.map((m) => [m.token, m.isDefault])).toEqual([
      ['pm_a', false],
      ['pm_b', false],
      ['pm_c', true],
    ])
  })

  it('normalises two-digit years and flags expired cards', async () => {
    const c = await newCustomer()
    const short = await store.customers.addPaymentMethod(c.id, {
      ...visa,
      token: 'pm_y',
      expYear: 31,
      expMonth: 1,
    })
    expect(short).toMatchObject({ expYear: 2031, expMonth: 1, expired: false })
    const old = await store.customers.addPaymentMethod(c.id, {
      ...visa,
      token: 'pm_old',
      expYear: 2020,
      expMonth: 6,
    })
    expect(old.expired).toBe(true)
    const read = (await store.customers.get(c.id)).paymentMethods
    expect(read.map((m) => [m.expYear, m.expired])).toEqual([
      [2031, false],
      [2020, true],
    ])
  })

  it('removes a method of this customer only', async () => {
    const owner = await newCustomer()
    const other = await newCustomer()
    const method = await store.customers.addPaymentMethod(owner.id, visa)
    await expect(store.customers.removePaymentMethod(other.id, method.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'payment method',
    })
    expect((await store.customers.get(owner.id)).paymentMethods).toHaveLength(1)
    await store.customers.removePaymentMethod(owner.id, method.id)
    expect((await store.customers.get(owner.id)).paymentMethods).toEqual([])
    await expect(store.customers.removePaymentMethod(owner.id, method.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })

  it('throws NOT_FOUND for an unknown customer', async () => {
    const count = (await methodRows()).length
    await expect(store.customers.addPaymentMethod(MISSING, visa)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'customer',
    })
    await expect(store.customers.removePaymentMethod(MISSING, MISSING)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'customer',
    })
    expect((await methodRows()).length).toBe(count)
  })

  it('refuses invalid methods and card data, writing nothing', async () => {
    const c = await newCustomer()
    const before = await methodRows()
    for (const [input, path] of [
      [{ ...visa, last4: '424' }, 'last4'],
      [{ ...visa, last4: '42424' }, 'last4'],
      [{ ...visa, last4: 'abcd' }, 'last4'],
      [{ ...visa, expMonth: 0 }, 'expMonth'],
      [{ ...visa, expMonth: 13 }, 'expMonth'],
      [{ ...visa, expYear: 123 }, 'expYear'],
      [{ ...visa, expYear: 20301 }, 'expYear'],
      [{ ...visa, token: '' }, 'token'],
      [{ ...visa, provider: 'p'.repeat(65) }, 'provider'],
      [{ ...visa, isDefault: 1 }, 'isDefault'],
    ] as const) {
      const error = await store.customers.addPaymentMethod(c.id, input as never).catch((e: unknown) => e)
      expect(error).toMatchObject({
        code: 'VALIDATION_FAILED',
        issues: expect.arrayContaining([expect.objectContaining({ path })]),
      })
    }
    for (const input of [
      { ...visa, token: '4242424242424242' },
      { ...visa, cvc: '123' },
      { ...visa, cardNumber: 'x' },
    ]) {
      const error = await store.customers
        .addPaymentMethod(c.id, input as never)
        .catch((e: unknown) => e as Error)
      expect(error).toMatchObject({ code: 'CARD_DATA_REJECTED' })
      expect((error as Error).message).not.toContain('4242424242424242')
    }
    expect(await methodRows()).toEqual(before)
  })
})
