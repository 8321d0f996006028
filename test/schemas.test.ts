import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type CheckoutStore,
  type Customer,
  combineSchemas,
  createCheckoutStore,
  isCheckoutStoreError,
  type SchemaIssue,
  schemas,
} from '../src/index.js'
import { customerAddress, customerFields, orderFields, paymentMethod } from './support/arbitraries.js'
import { SAMPLE_ADDRESS, SAMPLE_CARD, sampleOrder } from './support/checkout-data.js'
import { describeEachDatabase } from './support/databases.js'
import { invalidCustomer, invalidOrder, withCardData } from './support/invalid-inputs.js'
import { uniqueEmail } from './support/orders.js'

/*
 * `schemas` runs the store's own gate, so a host validating a body with it gets the answer the store would
 * give: the same inputs accepted, the same refused, with the same code and issues.
 */

type Outcome = { ok: true } | { ok: false; code: string; issues: Array<{ path: string; message: string }> }

function schemaOutcome(schema: (typeof schemas)[keyof typeof schemas], input: unknown): Outcome {
  const result = schema['~standard'].validate(input)
  if (!result.issues) return { ok: true }
  const code = result.issues[0]?.code ?? 'none'
  return { ok: false, code, issues: result.issues.map((i) => ({ path: i.dottedPath, message: i.message })) }
}

async function storeOutcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    await call()
    return { ok: true }
  } catch (error) {
    if (!isCheckoutStoreError(error)) throw error
    if (error.code !== 'VALIDATION_FAILED' && error.code !== 'CARD_DATA_REJECTED') throw error
    return { ok: false, code: error.code, issues: [...error.issues] }
  }
}

describe('schemas', () => {
  it('are Standard Schema v1 objects of this library', () => {
    for (const schema of Object.values(schemas)) {
      expect(schema['~standard']).toMatchObject({ version: 1, vendor: 'checkout-store' })
      expect(typeof schema['~standard'].validate).toBe('function')
    }
    expect(Object.keys(schemas).sort()).toEqual([
      'addressInput',
      'customerInput',
      'customerPatch',
      'orderInput',
      'paymentMethodInput',
    ])
  })

  it('return every problem at once, with dotted paths and segments from the root', () => {
    const result = schemas.orderInput['~standard'].validate({
      currency: 'ZZZ',
      items: [{ sku: 'A', name: 'A', quantity: 0, unitPrice: 1.5 }],
      shippingAddress: { name: 'A', line1: '1', country: 'XX' },
    })
    const issues = result.issues ?? []
    expect(issues.map((i) => i.dottedPath).sort()).toEqual([
      'currency',
      'email',
      'items.0.quantity',
      'items.0.unitPrice',
      'shippingAddress.city',
      'shippingAddress.country',
    ])
    expect(issues.find((i) => i.dottedPath === 'items.0.quantity')).toMatchObject({
      path: ['items', 0, 'quantity'],
      code: 'VALIDATION_FAILED',
    })
    expect(issues.find((i) => i.dottedPath === 'shippingAddress.city')?.message).toBe('is required')
  })

  it('return the parsed value the store would store', () => {
    const result = schemas.addressInput['~standard'].validate({ ...SAMPLE_ADDRESS, country: 'gb' })
    expect(result.issues).toBeUndefined()
    expect(result).toMatchObject({ value: { country: 'GB', city: 'London' } })
    const order = schemas.orderInput['~standard'].validate({ ...sampleOrder(), currency: 'usd' })
    expect(order).toMatchObject({ value: { currency: 'USD', shippingTotal: 500 } })
  })

  it('look for card data first and never repeat it', () => {
    const result = schemas.customerInput['~standard'].validate({
      email: 'not an email',
      name: 'card 4111 1111 1111 1111',
      phone: 42,
    })
    expect(result.issues).toEqual([
      expect.objectContaining({ code: 'CARD_DATA_REJECTED', dottedPath: 'name', path: ['name'] }),
    ])
    expect(JSON.stringify(result)).not.toMatch(/4111/)
  })

  it('combine into one schema for a request body, paths from the body root', () => {
    const body = combineSchemas({
      customer: schemas.customerInput,
      shippingAddress: schemas.addressInput,
      paymentMethod: schemas.paymentMethodInput,
    })
    const bad = body['~standard'].validate({
      customer: { email: 'nope' },
      shippingAddress: { ...SAMPLE_ADDRESS, city: '' },
      items: [{ sku: 'TEE', quantity: 1 }],
    })
    expect((bad.issues ?? []).map((i: SchemaIssue) => [i.dottedPath, i.message])).toEqual([
      ['customer.email', 'must be a valid email address'],
      ['shippingAddress.city', 'must not be empty'],
      ['paymentMethod', 'is required'],
    ])
    const carded = body['~standard'].validate({ items: [{ sku: '4111-1111-1111-1111' }] })
    expect(carded.issues).toEqual([
      expect.objectContaining({ code: 'CARD_DATA_REJECTED', dottedPath: 'items.0.sku' }),
    ])
    const good = body['~standard'].validate({
      customer: { email: ' Ada@Example.com ' },
      shippingAddress: SAMPLE_ADDRESS,
      paymentMethod: SAMPLE_CARD,
      extra: 'left to the host',
    })
    expect(good).toEqual({
      value: {
        customer: { email: 'Ada@Example.com' },
        shippingAddress: SAMPLE_ADDRESS,
        paymentMethod: SAMPLE_CARD,
      },
    })
    expect(body['~standard'].validate([]).issues).toEqual([
      expect.objectContaining({ dottedPath: '', message: 'must be an object' }),
    ])
  })
})

describeEachDatabase('schemas agree with the store', (db) => {
  let store: CheckoutStore
  let buyer: Customer
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
    buyer = await store.customers.create({ email: uniqueEmail() })
  })

  const runs = { numRuns: 40 }

  it('accept what the store accepts', async () => {
    await fc.assert(
      fc.asyncProperty(customerFields, customerAddress, paymentMethod, orderFields, async (c, a, m, o) => {
        const customer = { ...c, email: uniqueEmail() }
        expect(schemaOutcome(schemas.customerInput, customer)).toEqual({ ok: true })
        expect(await storeOutcome(() => store.customers.create(customer))).toEqual({ ok: true })
        expect(schemaOutcome(schemas.addressInput, a)).toEqual({ ok: true })
        expect(await storeOutcome(() => store.customers.addAddress(buyer.id, a))).toEqual({ ok: true })
        expect(schemaOutcome(schemas.paymentMethodInput, m)).toEqual({ ok: true })
        expect(await storeOutcome(() => store.customers.addPaymentMethod(buyer.id, m))).toEqual({ ok: true })
        const order = { ...o, customerId: buyer.id }
        expect(schemaOutcome(schemas.orderInput, order)).toEqual({ ok: true })
        expect(await storeOutcome(() => store.orders.create(order))).toEqual({ ok: true })
      }),
      runs,
    )
  })

  it('refuse what the store refuses, with the same code and issues', async () => {
    await fc.assert(
      fc.asyncProperty(invalidCustomer, async ({ method, input }) => {
        const schema = {
          create: schemas.customerInput,
          addAddress: schemas.addressInput,
          addPaymentMethod: schemas.paymentMethodInput,
        }[method]
        const call = {
          create: () => store.customers.create(input as never),
          addAddress: () => store.customers.addAddress(buyer.id, input as never),
          addPaymentMethod: () => store.customers.addPaymentMethod(buyer.id, input as never),
        }[method]
        const expected = await storeOutcome(call)
        expect(expected.ok).toBe(false)
        expect(schemaOutcome(schema, input)).toEqual(expected)
      }),
      runs,
    )
    await fc.assert(
      fc.asyncProperty(invalidOrder, async ({ input, options }) => {
        const expected = await storeOutcome(() => store.orders.create(input as never, options as never))
        expect(expected.ok).toBe(false)
        // The schema checks the order itself; broken options are the store call's own.
        if (options === undefined) expect(schemaOutcome(schemas.orderInput, input)).toEqual(expected)
      }),
      runs,
    )
  })

  it('refuse card data wherever the store does', async () => {
    await fc.assert(
      fc.asyncProperty(withCardData(buyer), async ({ method, input, options }) => {
        if (options !== undefined) return
        const [schema, call] = {
          customer: [schemas.customerInput, () => store.customers.create(input as never)] as const,
          card: [
            schemas.paymentMethodInput,
            () => store.customers.addPaymentMethod(buyer.id, input as never),
          ] as const,
          order: [schemas.orderInput, () => store.orders.create(input as never)] as const,
        }[method]
        const expected = await storeOutcome(call)
        expect(expected).toMatchObject({ ok: false, code: 'CARD_DATA_REJECTED' })
        expect(schemaOutcome(schema, input)).toEqual(expected)
      }),
      runs,
    )
  })
})
