import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, type CustomerAddressInput, createCheckoutStore } from '../src/index.js'
import { tableNames } from '../src/schema/tables.js'
import { describeEachDatabase } from './support/databases.js'

const tables = tableNames('checkout_')
const MISSING = '01900000-0000-7000-8000-000000000002'
let serial = 0

const home: CustomerAddressInput = {
  name: 'Ada Lovelace',
  company: 'Analytical Engines Ltd',
  line1: '12 St James Sq',
  line2: 'Flat 3',
  city: 'London',
  region: 'Greater London',
  postalCode: 'SW1Y 4JH',
  country: 'gb',
  phone: '+44 20 7946 0958',
}

describeEachDatabase('customers addresses', (db) => {
  let store: CheckoutStore

  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  const newCustomer = () => store.customers.create({ email: `addr-${++serial}@example.com` })
  const addressRows = async () => db().knex(tables.addresses).orderBy('id')

  it('saves an address with every field, country upper-cased, and reads it back', async () => {
    const c = await newCustomer()
    const address = await store.customers.addAddress(c.id, home)
    expect(address).toMatchObject({
      ...home,
      country: 'GB',
      customerId: c.id,
      isDefaultShipping: false,
      isDefaultBilling: false,
      version: 1,
    })
    expect(address.createdAt).toBeInstanceOf(Date)
    expect((await store.customers.get(c.id)).addresses).toEqual([address])
  })

  it('reads missing optional fields back as null', async () => {
    const c = await newCustomer()
    const address = await store.customers.addAddress(c.id, {
      name: 'A',
      line1: '1 Rd',
      city: 'Oslo',
      country: 'NO',
    })
    expect(address).toMatchObject({ company: null, line2: null, region: null, postalCode: null, phone: null })
    expect((await store.customers.get(c.id)).addresses).toEqual([address])
  })

  it('keeps one default shipping and one default billing address per customer', async () => {
    const c = await newCustomer()
    const first = await store.customers.addAddress(c.id, {
      ...home,
      isDefaultShipping: true,
      isDefaultBilling: true,
    })
    expect(first).toMatchObject({ isDefaultShipping: true, isDefaultBilling: true })
    const second = await store.customers.addAddress(c.id, { ...home, city: 'Bath', isDefaultShipping: true })
    let addresses = (await store.customers.get(c.id)).addresses
    expect(addresses.map((a) => [a.city, a.isDefaultShipping, a.isDefaultBilling])).toEqual([
      ['London', false, true],
      ['Bath', true, false],
    ])
    // Losing the default is a change of the old address: its version goes up.
    expect(addresses[0]?.version).toBe(2)

    await store.customers.updateAddress(c.id, first.id, { isDefaultShipping: true })
    await store.customers.updateAddress(c.id, second.id, { isDefaultBilling: true })
    addresses = (await store.customers.get(c.id)).addresses
    expect(addresses.map((a) => [a.city, a.isDefaultShipping, a.isDefaultBilling])).toEqual([
      ['London', true, false],
      ['Bath', false, true],
    ])
    await store.customers.updateAddress(c.id, first.id, { isDefaultShipping: false })
    addresses = (await store.customers.get(c.id)).addresses
    expect(addresses.filter((a) => a.isDefaultShipping)).toEqual([])
  })

  it("one customer's default does not touch another customer's", async () => {
    const a = await newCustomer()
    const b = await newCustomer()
    await store.customers.addAddress(a.id, { ...home, isDefaultShipping: true })
    await store.customers.addAddress(b.id, { ...home, isDefaultShipping: true })
    expect((await store.customers.get(a.id)).addresses[0]?.isDefaultShipping).toBe(true)
    expect((await store.customers.get(b.id)).addresses[0]?.isDefaultShipping).toBe(true)
  })

  it('concurrent default changes leave exactly one default', async () => {
    const c = await newCustomer()
    await Promise.all(
      ['A', 'B', 'C', 'D'].map((city) =>
        store.customers.addAddress(c.id, { ...home, city, isDefaultShipping: true }),
      ),
    )
    const addresses = (await store.customers.get(c.id)).addresses
    expect(addresses).toHaveLength(4)
    expect(addresses.filter((a) => a.isDefaultShipping)).toHaveLength(1)
  })

  it('updates fields, clears optional ones with null and bumps the version', async () => {
    const c = await newCustomer()
    const address = await store.customers.addAddress(c.id, home)
    const updated = await store.customers.updateAddress(
      c.id,
      address.id,
      { line2: null, city: 'Bath', country: 'ie' },
      { expectedVersion: 1 },
    )
    expect(updated).toMatchObject({ ...home, line2: null, city: 'Bath', country: 'IE', version: 2 })
    expect((await store.customers.get(c.id)).addresses).toEqual([updated])
  })

  it('refuses a stale expectedVersion and changes nothing, defaults included', async () => {
    const c = await newCustomer()
    const a = await store.customers.addAddress(c.id, { ...home, isDefaultShipping: true })
    const b = await store.customers.addAddress(c.id, home)
    await store.customers.updateAddress(c.id, b.id, { city: 'York' })
    const before = await addressRows()
    await expect(
      store.customers.updateAddress(
        c.id,
        b.id,
        { city: 'Hull', isDefaultShipping: true },
        { expectedVersion: 1 },
      ),
    ).rejects.toMatchObject({ code: 'VERSION_CONFLICT', id: b.id, expectedVersion: 1, actualVersion: 2 })
    expect(await addressRows()).toEqual(before)
    expect((await store.customers.get(c.id)).addresses.find((x) => x.id === a.id)?.isDefaultShipping).toBe(
      true,
    )
  })

  it('an empty patch returns the address unchanged', async () => {
    const c = await newCustomer()
    const address = await store.customers.addAddress(c.id, home)
    expect(await store.customers.updateAddress(c.id, address.id, {})).toEqual(address)
    await expect(
      store.customers.updateAddress(c.id, address.id, {}, { expectedVersion: 2 }),
    ).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
    })
  })

  it("treats another customer's address as not found, and leaves it alone", async () => {
    const owner = await newCustomer()
    const other = await newCustomer()
    const address = await store.customers.addAddress(owner.id, home)
    const before = await addressRows()
    await expect(store.customers.updateAddress(other.id, address.id, { city: 'X' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'address',
    })
    await expect(store.customers.updateAddress(other.id, address.id, {})).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    await expect(store.customers.removeAddress(other.id, address.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'address',
    })
    expect(await addressRows()).toEqual(before)
  })

  it('throws NOT_FOUND for an unknown customer or address', async () => {
    const c = await newCustomer()
    const count = (await addressRows()).length
    await expect(store.customers.addAddress(MISSING, home)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'customer',
    })
    await expect(store.customers.updateAddress(MISSING, MISSING, { city: 'X' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'customer',
    })
    await expect(store.customers.updateAddress(c.id, MISSING, { city: 'X' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'address',
    })
    await expect(store.customers.removeAddress(c.id, MISSING)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(store.customers.removeAddress(MISSING, MISSING)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await addressRows()).length).toBe(count)
  })

  it('removes an address', async () => {
    const c = await newCustomer()
    const a = await store.customers.addAddress(c.id, { ...home, isDefaultShipping: true })
    const b = await store.customers.addAddress(c.id, { ...home, line2: 'Flat 2' })
    await store.customers.removeAddress(c.id, a.id)
    expect((await store.customers.get(c.id)).addresses.map((x) => x.id)).toEqual([b.id])
    // The default slot is free again.
    const next = await store.customers.updateAddress(c.id, b.id, { isDefaultShipping: true })
    expect(next.isDefaultShipping).toBe(true)
  })

  it('refuses invalid addresses and writes nothing', async () => {
    const c = await newCustomer()
    const address = await store.customers.addAddress(c.id, home)
    const before = await addressRows()
    for (const [input, path] of [
      [{ ...home, country: 'XX' }, 'country'],
      [{ ...home, country: 'GBR' }, 'country'],
      [{ ...home, name: '' }, 'name'],
      [{ ...home, line1: 'x'.repeat(201) }, 'line1'],
      [{ ...home, postalCode: 'x'.repeat(33) }, 'postalCode'],
      [{ ...home, phone: 'none' }, 'phone'],
      [{ ...home, isDefaultShipping: 'yes' }, 'isDefaultShipping'],
      [{ ...home, floor: 3 }, ''],
      [{ name: 'A', city: 'B', country: 'GB' }, 'line1'],
    ] as const) {
      const error = await store.customers.addAddress(c.id, input as never).catch((e: unknown) => e)
      expect(error).toMatchObject({
        code: 'VALIDATION_FAILED',
        issues: expect.arrayContaining([expect.objectContaining({ path })]),
      })
    }
    for (const patch of [{ city: null }, { country: 'ZZ' }, { line1: '' }]) {
      await expect(store.customers.updateAddress(c.id, address.id, patch as never)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      })
    }
    await expect(store.customers.addAddress('', home)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    await expect(store.customers.removeAddress(c.id, 5 as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
    await expect(
      store.customers.updateAddress(c.id, address.id, { city: 'Y' }, { expectedVersion: -1 }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    await expect(
      store.customers.addAddress(c.id, { ...home, line2: 'card 4111 1111 1111 1111' }),
    ).rejects.toMatchObject({ code: 'CARD_DATA_REJECTED' })
    expect(await addressRows()).toEqual(before)
  })
})
