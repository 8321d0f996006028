import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { tableNames } from '../src/schema/tables.js'
import { describeEachDatabase } from './support/databases.js'

const tables = tableNames('checkout_')

// Astral-plane emoji (surrogate pairs), combining marks, quotes, backslashes and SQL metacharacters.
const TRICKY = `😀👩🏽‍💻 Zoë "O'Brien" \\ \\\\ %_ ; DROP TABLE x; -- \`?\` $1 :name ${'\u{1F600}'}`

describeEachDatabase('customers text round trips', (db) => {
  let store: CheckoutStore

  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('returns every text field byte for byte as given', async () => {
    const metadata = Object.fromEntries([
      ['__proto__', 'not a prototype'],
      ['constructor', TRICKY],
      ['😀 key', 'v'],
      ['z', '"quoted" \\ back'],
      ['a', 'order kept'],
    ])
    const c = await store.customers.create({
      email: "o'brien+tag@example.com",
      name: TRICKY,
      phone: '+1 (555) 010-0199 ext. 12',
      metadata,
    })
    const read = await store.customers.get(c.id)
    expect(read.name).toBe(TRICKY)
    expect(read.email).toBe("o'brien+tag@example.com")
    expect(read.phone).toBe('+1 (555) 010-0199 ext. 12')
    // `__proto__` stays an ordinary key, keys keep their order, and nothing is polluted.
    expect(Object.entries(read.metadata)).toEqual(Object.entries(metadata))
    expect(Object.getPrototypeOf(read.metadata)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(read).toEqual(c)
    expect((await store.customers.findByEmail("O'BRIEN+TAG@example.com"))?.id).toBe(c.id)
  })

  it('round-trips addresses and payment methods', async () => {
    const c = await store.customers.create({ email: 'text-children@example.com' })
    const address = await store.customers.addAddress(c.id, {
      name: TRICKY,
      company: 'Ü & Söhne \\ GmbH',
      line1: "1 Rue de l'Église",
      line2: '🏠 Apt "B"',
      city: '東京',
      region: 'Île-de-France',
      postalCode: '75001',
      country: 'fr',
    })
    const method = await store.customers.addPaymentMethod(c.id, {
      provider: 'stripe',
      token: "pm_'\\%_😀",
      brand: 'visa',
      last4: '0042',
      expMonth: 3,
      expYear: 2035,
      fingerprint: 'fp "x"',
    })
    const read = await store.customers.get(c.id)
    expect(read.addresses).toEqual([address])
    expect(read.addresses[0]?.name).toBe(TRICKY)
    expect(read.addresses[0]?.city).toBe('東京')
    expect(read.paymentMethods).toEqual([method])
    expect(read.paymentMethods[0]?.last4).toBe('0042')
  })

  it('keeps the longest allowed values whole', async () => {
    // Limits count code points, as pg and MySQL count characters: 200 emoji are 400 UTF-16 units.
    const name = '😀'.repeat(200)
    const metadata = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`k${i}`.padEnd(40, 'x'), 'é'.repeat(500)]),
    )
    const c = await store.customers.create({ email: `${'a'.repeat(300)}@example.com`, name, metadata })
    const read = await store.customers.get(c.id)
    expect(read.name).toBe(name)
    expect(read.metadata).toEqual(metadata)
    expect(read.email).toHaveLength(312)
  })

  it('refuses values past the limits, writing nothing', async () => {
    const [before] = await db().knex(tables.customers).count({ n: '*' })
    for (const input of [
      { email: 'l1@example.com', name: 'x'.repeat(201) },
      { email: 'l2@example.com', name: '😀'.repeat(201) },
      { email: 'l3@example.com', phone: '1'.repeat(65) },
      { email: 'l4@example.com', metadata: { k: 'v'.repeat(501) } },
      { email: 'l5@example.com', metadata: { ['k'.repeat(41)]: 'v' } },
      { email: 'l6@example.com', metadata: { '': 'v' } },
      {
        email: 'l7@example.com',
        metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
      },
      { email: 'l8@example.com', metadata: { k: 5 } },
      { email: 'l9@example.com', metadata: ['v'] },
    ]) {
      await expect(store.customers.create(input as never)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      })
    }
    const [after] = await db().knex(tables.customers).count({ n: '*' })
    expect(Number(after?.n)).toBe(Number(before?.n))
  })
})
