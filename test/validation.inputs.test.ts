import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type OrderInput } from '../src/index.js'
import { SAMPLE_ADDRESS, SAMPLE_CARD, sampleCustomer, sampleOrder } from './support/checkout-data.js'
import { describeEachDatabase } from './support/databases.js'
import { countRows } from './support/rows.js'

/*
 * Every string of every public input, 1 MB long, is refused at its path with nothing written, and the
 * same with a card number at its end is refused as card data. No timing is asserted: a check that is
 * quadratic in the length would take hours on 1 MB (the phone pattern took 23–42 s on 100 KB), far past
 * the test timeout, which is the honest bound. The validation cost per size is in the benchmark.
 */

/**
 * 1 MiB of text with digits, spaces and punctuation. Phone fields get 1 MiB of digits and single spaces
 * instead, what made the old phone pattern backtrack; that is also the card scanner's worst case (every
 * character a digit-group boundary), whose cost per size the benchmark records.
 */
const HUGE = 'Deliver to door 12, ring twice; '.repeat(32 * 1024)
const HUGE_PHONE = '1 '.repeat(512 * 1024)
/** The same with a card number at its end. */
const HUGE_CARD = `${HUGE}4242 4242 4242 4242`
const HUGE_PHONE_CARD = `${HUGE_PHONE}4242 4242 4242 4242`

/**
 * About a hundred calls with 1 MB each: a few seconds on a quiet machine, more on a shared one. A
 * quadratic check would need hours, so a generous bound still catches one.
 */
const MATRIX_TIMEOUT_MS = 300_000

const ADDRESS_FIELDS = [
  'name',
  'company',
  'line1',
  'line2',
  'city',
  'region',
  'postalCode',
  'country',
  'phone',
]

/** `value` with the field at the dotted `path` set to `leaf` (a copy). */
function withField<T>(value: T, path: string, leaf: unknown): T {
  const copy = structuredClone(value) as Record<string, unknown>
  const segments = path.split('.')
  let target: Record<string, unknown> = copy
  for (const segment of segments.slice(0, -1)) target = target[segment] as Record<string, unknown>
  target[segments.at(-1) as string] = leaf
  return copy as T
}

/** `value` with a key of `leaf` added to the flat map at the dotted `path`. */
function withKey<T>(value: T, path: string, leaf: string): T {
  const copy = structuredClone(value) as Record<string, unknown>
  let target: Record<string, unknown> = copy
  for (const segment of path.split('.')) {
    target[segment] ??= {}
    target = target[segment] as Record<string, unknown>
  }
  target[leaf] = 'x'
  return copy as T
}

describeEachDatabase('every input, 1 MB in every string field', (db) => {
  let store: CheckoutStore
  let customerId: string
  let addressId: string
  let orderId: string

  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
    const customer = await store.customers.create(sampleCustomer('huge'))
    customerId = customer.id
    addressId = (await store.customers.addAddress(customerId, SAMPLE_ADDRESS)).id
    orderId = (await store.orders.create(sampleOrder(customerId))).id
  })

  /** Each call with the huge string at one place, and the path its issue must name. */
  function cases(text: string, phone: string): [string, string, () => Promise<unknown>][] {
    const order = sampleOrder()
    const big = text
    const pick = (path: string) => (path.endsWith('phone') ? phone : text)
    const item = 'items.1'
    const orderCases: [string, string, () => Promise<unknown>][] = [
      ...['email', 'currency', 'note', 'metadata.cart'].map((path) => [path, path] as const),
      ...['sku', 'name', 'productId', 'variantId'].map(
        (field) => [`${item}.${field}`, `${item}.${field}`] as const,
      ),
      ['items.0.attributes.size', 'items.0.attributes.size'] as const,
      ...ADDRESS_FIELDS.flatMap((field) => [
        [`shippingAddress.${field}`, `shippingAddress.${field}`] as const,
        [`billingAddress.${field}`, `billingAddress.${field}`] as const,
      ]),
      ...['provider', 'reference', 'brand', 'last4'].map(
        (field) => [`payment.${field}`, `payment.${field}`] as const,
      ),
    ].map(([path, issuePath]) => [
      `orders.create ${path}`,
      issuePath,
      () => store.orders.create(withField(order, path, pick(path))),
    ])
    const keyCases: [string, string, () => Promise<unknown>][] = [
      ['orders.create metadata key', 'metadata', () => store.orders.create(withKey(order, 'metadata', big))],
      [
        'orders.create item attributes key',
        'items.0.attributes',
        () => store.orders.create(withKey(order, 'items.0.attributes', big)),
      ],
      [
        'orders.create item metadata key',
        'items.0.metadata',
        () => store.orders.create(withKey(order, 'items.0.metadata', big)),
      ],
      [
        'customers.create metadata key',
        'metadata',
        () => store.customers.create(withKey(sampleCustomer('k'), 'metadata', big)),
      ],
      [
        'customers.update metadata key',
        'metadata',
        () => store.customers.update(customerId, withKey({}, 'metadata', big)),
      ],
    ]
    return [
      ...['email', 'name', 'phone', 'metadata.source'].flatMap(
        (path): [string, string, () => Promise<unknown>][] => [
          [
            `customers.create ${path}`,
            path,
            () => store.customers.create(withField(sampleCustomer('x'), path, pick(path))),
          ],
          [
            `customers.update ${path}`,
            path,
            () =>
              store.customers.update(customerId, withField({ metadata: { source: 'y' } }, path, pick(path))),
          ],
        ],
      ),
      ['customers.update id', 'id', () => store.customers.update(big, { name: 'x' })],
      ['customers.get id', 'id', () => store.customers.get(big)],
      ['customers.find id', 'id', () => store.customers.find(big)],
      ['customers.anonymize id', 'id', () => store.customers.anonymize(big)],
      ['customers.findByEmail', 'email', () => store.customers.findByEmail(big)],
      ['customers.list search', 'options.search', () => store.customers.list({ search: big })],
      ['customers.list cursor', 'options.cursor', () => store.customers.list({ cursor: big })],
      [
        'customers.addAddress customerId',
        'customerId',
        () => store.customers.addAddress(big, SAMPLE_ADDRESS),
      ],
      ...ADDRESS_FIELDS.flatMap((field): [string, string, () => Promise<unknown>][] => [
        [
          `customers.addAddress ${field}`,
          field,
          () => store.customers.addAddress(customerId, withField(SAMPLE_ADDRESS, field, pick(field))),
        ],
        [
          `customers.updateAddress ${field}`,
          field,
          () => store.customers.updateAddress(customerId, addressId, { [field]: pick(field) }),
        ],
      ]),
      [
        'customers.updateAddress addressId',
        'addressId',
        () => store.customers.updateAddress(customerId, big, {}),
      ],
      ...['provider', 'token', 'brand', 'last4', 'fingerprint'].map(
        (field): [string, string, () => Promise<unknown>] => [
          `customers.addPaymentMethod ${field}`,
          field,
          () => store.customers.addPaymentMethod(customerId, withField(SAMPLE_CARD, field, big)),
        ],
      ),
      [
        'customers.removeAddress addressId',
        'addressId',
        () => store.customers.removeAddress(customerId, big),
      ],
      ...orderCases,
      ...keyCases,
      [
        'orders.create customerId',
        'customerId',
        () => store.orders.create({ ...sampleOrder(), email: null, customerId: big } as OrderInput),
      ],
      [
        'orders.create idempotencyKey',
        'idempotencyKey',
        () => store.orders.create(sampleOrder(), { idempotencyKey: big }),
      ],
      ['orders.createMany note', '0.note', () => store.orders.createMany([withField(order, 'note', big)])],
      ['orders.transition id', 'id', () => store.orders.transition(big, 'paid')],
      ['orders.transition to', 'to', () => store.orders.transition(orderId, big as 'paid')],
      ['orders.transition note', 'note', () => store.orders.transition(orderId, 'paid', { note: big })],
      ['orders.transition actor', 'actor', () => store.orders.transition(orderId, 'paid', { actor: big })],
      ['orders.get id', 'id', () => store.orders.get(big)],
      ['orders.find id', 'id', () => store.orders.find(big)],
      ['orders.events id', 'id', () => store.orders.events(big)],
      ['orders.list email', 'email', () => store.orders.list({ email: big })],
      ['orders.list customerId', 'customerId', () => store.orders.list({ customerId: big })],
      ['orders.list cursor', 'cursor', () => store.orders.list({ cursor: big })],
      ['orders.list status', 'status', () => store.orders.list({ status: big as 'paid' })],
    ]
  }

  /** Runs `call` and returns the error it rejects with, or an `accepted` error when it resolves. */
  async function failure(
    call: () => Promise<unknown>,
  ): Promise<{ code?: string; issues?: { path: string }[] }> {
    return call().then(
      () => ({ code: 'accepted' }),
      (error: unknown) => error as { code?: string; issues?: { path: string }[] },
    )
  }

  const atPath = (issues: readonly { path: string }[] | undefined, path: string) =>
    (issues ?? []).some((issue) => issue.path === path || issue.path.startsWith(`${path}.`))

  it(
    'refuses 1 MB in any string field with VALIDATION_FAILED at its path, writing nothing',
    async () => {
      const before = await countRows(db().knex)
      for (const [name, path, call] of cases(HUGE, HUGE_PHONE)) {
        const error = await failure(call)
        expect(error, name).toMatchObject({ code: 'VALIDATION_FAILED' })
        expect(atPath(error.issues, path), `${name}: ${error.issues?.map((i) => i.path).join(', ')}`).toBe(
          true,
        )
      }
      expect(await countRows(db().knex)).toEqual(before)
    },
    MATRIX_TIMEOUT_MS,
  )

  it(
    'refuses the same with a card number at its end as card data, at its path, writing nothing',
    async () => {
      const before = await countRows(db().knex)
      // One field of each method: the guard is the same code for every field.
      const methods = new Set<string>()
      for (const [name, path, call] of cases(HUGE_CARD, HUGE_PHONE_CARD)) {
        const method = name.split(' ')[0] as string
        if (methods.has(method)) continue
        methods.add(method)
        const error = await failure(call)
        expect(error, name).toMatchObject({ code: 'CARD_DATA_REJECTED' })
        expect(atPath(error.issues, path) || atPath(error.issues, `${path}.[redacted]`), name).toBe(true)
        expect((error as Error).message).not.toContain('4242 4242')
      }
      expect(methods.size).toBe(18)
      expect(await countRows(db().knex)).toEqual(before)
    },
    MATRIX_TIMEOUT_MS,
  )

  it('gives a typed error, not a RangeError, for a 10 MB string of 13-digit groups', async () => {
    const tenMegabytes = '4242424242424 '.repeat(750_000)
    await expect(
      store.customers.create({ email: 'ten@example.com', name: tenMegabytes }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'name' }],
    })
    await expect(store.orders.create({ ...sampleOrder(), note: tenMegabytes })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
  })
})
