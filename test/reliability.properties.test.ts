import fc from 'fast-check'
import { beforeAll, expect, it } from 'vitest'
import {
  type CheckoutStore,
  type Customer,
  type CustomerInput,
  createCheckoutStore,
  type OrderInput,
} from '../src/index.js'
import {
  customerAddress,
  customerFields,
  emailBody,
  hasNoCardData,
  orderFields,
  paymentMethod,
} from './support/arbitraries.js'
import { describeEachDatabase } from './support/databases.js'
import { invalidCustomer, invalidOrder, withCardData } from './support/invalid-inputs.js'
import { countRows } from './support/rows.js'
import { executed, modelCommands, type RealSystem, snapshotModel } from './support/state-model.js'

/*
 * Property-based tests on every database: valid inputs round-trip exactly, invalid ones are refused with
 * a coded error and write nothing, and a random sequence of creates, transitions and erasures agrees with
 * an independent model of the order state machine.
 *
 * FC_SEED replays a run (every property prints the seed it used); FC_RUNS and FC_MODEL_RUNS change the
 * number of runs (defaults: 300 per property and database, 50 for the model-based test).
 */

const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() % 2 ** 31
const RUNS = Number(process.env.FC_RUNS ?? 300)
const MODEL_RUNS = Number(process.env.FC_MODEL_RUNS ?? 50)

function parameters(property: string, numRuns = RUNS): fc.Parameters<unknown> {
  console.log(`[fast-check] ${property}: seed ${SEED}, ${numRuns} runs (replay with FC_SEED=${SEED})`)
  return { seed: SEED, numRuns }
}

let counter = 0
/** A unique email for this run, built around the generated part. */
function uniqueEmail({ local, domain, pad }: { local: string; domain: string; pad: string }): string {
  counter += 1
  return `${pad}${local}.u${counter}@${domain}${pad}`
}

/** What a customer's create input reads back as. */
function expectedCustomer(input: CustomerInput) {
  return {
    id: expect.any(String),
    email: input.email.trim(),
    name: input.name ?? null,
    phone: input.phone ?? null,
    metadata: input.metadata ?? {},
    version: 1,
    createdAt: expect.any(Date),
    updatedAt: expect.any(Date),
    anonymizedAt: null,
  }
}

const toAddressSnapshot = (a: OrderInput['shippingAddress']) =>
  a == null
    ? null
    : {
        name: a.name,
        company: a.company ?? null,
        line1: a.line1,
        line2: a.line2 ?? null,
        city: a.city,
        region: a.region ?? null,
        postalCode: a.postalCode ?? null,
        country: a.country.toUpperCase(),
        phone: a.phone ?? null,
      }

/** What an order's create input reads back as, totals computed here independently (in BigInt). */
function expectedOrder(input: OrderInput, email: string) {
  const lineTotals = input.items.map((i) => BigInt(i.quantity) * BigInt(i.unitPrice))
  const subtotal = lineTotals.reduce((a, b) => a + b, 0n)
  const total =
    subtotal +
    BigInt(input.shippingTotal ?? 0) +
    BigInt(input.taxTotal ?? 0) -
    BigInt(input.discountTotal ?? 0)
  return {
    id: expect.any(String),
    number: expect.any(Number),
    status: 'pending',
    fulfillmentStatus: 'unfulfilled',
    version: 1,
    customerId: input.customerId ?? null,
    email,
    currency: input.currency,
    items: input.items.map((i, index) => ({
      id: expect.any(String),
      sku: i.sku,
      name: i.name,
      attributes: i.attributes ?? {},
      quantity: i.quantity,
      unitPrice: i.unitPrice,
      total: Number(lineTotals[index]),
      // Allocated shares: their exactness is the allocation property test's; here they only round-trip.
      taxTotal: expect.any(Number),
      discountTotal: expect.any(Number),
      refundedQuantity: 0,
      productId: i.productId ?? null,
      variantId: i.variantId ?? null,
      metadata: i.metadata ?? {},
    })),
    subtotal: Number(subtotal),
    shippingTotal: input.shippingTotal ?? 0,
    taxTotal: input.taxTotal ?? 0,
    discountTotal: input.discountTotal ?? 0,
    total: Number(total),
    capturedTotal: 0,
    refundedTotal: 0,
    paymentStatus: 'unpaid',
    shippingAddress: toAddressSnapshot(input.shippingAddress),
    billingAddress: toAddressSnapshot(input.billingAddress),
    payment: input.payment
      ? {
          provider: input.payment.provider,
          reference: input.payment.reference,
          brand: input.payment.brand ?? null,
          last4: input.payment.last4 ?? null,
        }
      : null,
    note: input.note ?? null,
    metadata: input.metadata ?? {},
    createdAt: expect.any(Date),
    updatedAt: expect.any(Date),
  }
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
}

describeEachDatabase('reliability: properties', (db) => {
  let store: CheckoutStore
  let buyer: Customer
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
    buyer = await store.customers.create({ email: 'buyer@example.com', name: 'Buyer' })
  })

  it('every valid customer, address and card round-trips exactly through create, get, list and findByEmail', async () => {
    const arbitrary = fc
      .record({ body: emailBody, fields: customerFields, address: customerAddress, card: paymentMethod })
      .filter(hasNoCardData)
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ body, fields, address, card }) => {
        const input: CustomerInput = { ...fields, email: uniqueEmail(body) }
        const created = await store.customers.create(input)
        expect(created).toEqual({ ...expectedCustomer(input), addresses: [], paymentMethods: [] })

        const savedAddress = await store.customers.addAddress(created.id, address)
        expect(savedAddress).toEqual({
          ...toAddressSnapshot(address),
          id: expect.any(String),
          customerId: created.id,
          isDefaultShipping: address.isDefaultShipping === true,
          isDefaultBilling: address.isDefaultBilling === true,
          version: 1,
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
        })
        const savedCard = await store.customers.addPaymentMethod(created.id, card)
        const expYear = card.expYear < 100 ? 2000 + card.expYear : card.expYear
        expect(savedCard).toEqual({
          id: expect.any(String),
          customerId: created.id,
          provider: card.provider,
          token: card.token,
          brand: card.brand,
          last4: card.last4,
          expMonth: card.expMonth,
          expYear,
          fingerprint: card.fingerprint ?? null,
          isDefault: card.isDefault === true,
          // Expired once the month after the expiry month has begun, in UTC.
          expired: Date.now() >= Date.UTC(expYear, card.expMonth, 1),
          version: 1,
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
        })

        const full = { ...created, addresses: [savedAddress], paymentMethods: [savedCard] }
        expect(await store.customers.get(created.id)).toEqual(full)
        expect((await store.customers.list({ limit: 1 })).items).toEqual([full])
        expect(await store.customers.findByEmail(input.email.trim().toUpperCase())).toEqual(full)
      }),
      parameters('customer round trip'),
    )
  })

  it('every valid order round-trips exactly through create, get, list, findByNumber and events', async () => {
    const buyers = fc.oneof(
      emailBody.map((body) => ({ kind: 'guest' as const, body })),
      fc.option(emailBody, { nil: undefined }).map((body) => ({ kind: 'customer' as const, body })),
    )
    const arbitrary = fc
      .record({
        buyer: buyers,
        fields: orderFields,
        // Keys never end in whitespace: MariaDB would compare 'k' and 'k ' as one, so the store refuses it.
        key: fc.option(
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((k) => !/\s$/.test(k)),
          { nil: undefined },
        ),
      })
      .filter(hasNoCardData)
    let previous = 1000
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ buyer: who, fields, key }) => {
        const email = who.body ? uniqueEmail(who.body) : undefined
        const input: OrderInput =
          who.kind === 'guest'
            ? { ...fields, email: email as string }
            : { ...fields, customerId: buyer.id, ...(email === undefined ? {} : { email }) }
        const options =
          key === undefined ? undefined : { idempotencyKey: `${counter++}:${key}`.slice(0, 255) }
        const created = await store.orders.create(input, options)
        expect(created).toEqual(expectedOrder(input, email?.trim() ?? buyer.email))
        // One create, one number: the next after the last one handed out.
        expect(created.number).toBe(previous + 1)
        previous = created.number

        expect(await store.orders.get(created.id)).toEqual(created)
        expect((await store.orders.list({ limit: 1 })).items).toEqual([created])
        expect(await store.orders.findByNumber(created.number)).toEqual(created)
        expect(await store.orders.events(created.id)).toEqual([
          {
            id: expect.any(String),
            type: 'order_placed',
            from: null,
            to: 'pending',
            note: null,
            actor: null,
            at: created.createdAt,
          },
        ])
        if (options) expect(await store.orders.create(input, options)).toEqual(created)
      }),
      parameters('order round trip'),
    )
  })

  it('every invalid customer, address or card input throws VALIDATION_FAILED and writes nothing', async () => {
    const target = await store.customers.create({ email: 'target@example.com' })
    await fc.assert(
      fc.asyncProperty(invalidCustomer, async ({ method, input }) => {
        const before = await countRows(db().knex)
        const call =
          method === 'create'
            ? store.customers.create(input as CustomerInput)
            : method === 'addAddress'
              ? store.customers.addAddress(target.id, input as never)
              : store.customers.addPaymentMethod(target.id, input as never)
        const error = await call.then(
          () => new Error('accepted an invalid input'),
          (e: unknown) => e,
        )
        expect(codeOf(error)).toBe(hasNoCardData(input) ? 'VALIDATION_FAILED' : 'CARD_DATA_REJECTED')
        expect(await countRows(db().knex)).toEqual(before)
      }),
      parameters('invalid customer inputs'),
    )
  })

  it('every invalid order input throws VALIDATION_FAILED and writes nothing, not even an order number', async () => {
    await fc.assert(
      fc.asyncProperty(invalidOrder, async ({ input, options }) => {
        const before = await countRows(db().knex)
        const error = await store.orders.create(input as OrderInput, options as never).then(
          () => new Error('accepted an invalid input'),
          (e: unknown) => e,
        )
        expect(codeOf(error)).toBe(
          hasNoCardData([input, options]) ? 'VALIDATION_FAILED' : 'CARD_DATA_REJECTED',
        )
        expect(await countRows(db().knex)).toEqual(before)
      }),
      parameters('invalid order inputs'),
    )
  })

  it('card data anywhere in an input is rejected with CARD_DATA_REJECTED, never echoed, never written', async () => {
    await fc.assert(
      fc.asyncProperty(withCardData(buyer), async ({ method, input, options, card }) => {
        const before = await countRows(db().knex)
        const error = await (method === 'customer'
          ? store.customers.create(input as CustomerInput)
          : method === 'card'
            ? store.customers.addPaymentMethod(buyer.id, input as never)
            : store.orders.create(input as OrderInput, options as never)
        ).then(
          () => new Error('accepted card data'),
          (e: unknown) => e,
        )
        expect(codeOf(error)).toBe('CARD_DATA_REJECTED')
        const shown = JSON.stringify([String(error), (error as { issues?: unknown }).issues ?? null])
        expect(shown).not.toContain(card.digits)
        expect(shown).not.toContain(card.typed)
        expect(await countRows(db().knex)).toEqual(before)
      }),
      parameters('card data injection'),
    )
  })

  it('a random sequence of creates, transitions and erasures agrees with a model of the state machine', async () => {
    await fc.assert(
      fc.asyncProperty(modelCommands, async (commands) => {
        const real: RealSystem = { store, customerIds: [], orderIds: [] }
        await fc.asyncModelRun(() => ({ model: snapshotModel(), real }), commands)
      }),
      { ...parameters('order state machine model', MODEL_RUNS), endOnFailure: true },
    )
    console.log(`[fast-check] order state machine model: commands run so far ${JSON.stringify(executed)}`)
  })
})
