import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, VersionConflictError } from '../src/index.js'
import { tableNames } from '../src/schema/tables.js'
import { describeEachDatabase } from './support/databases.js'

const tables = tableNames('checkout_')
let serial = 0
const email = () => `update-${++serial}@example.com`

describeEachDatabase('customers.update', (db) => {
  let store: CheckoutStore

  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  async function rowOf(id: string) {
    return db().knex(tables.customers).where('id', id).first()
  }

  it('changes the given fields, keeps the others and bumps the version', async () => {
    const c = await store.customers.create({
      email: email(),
      name: 'Ada',
      phone: '+1 555 0100',
      metadata: { a: '1' },
    })
    await new Promise((r) => setTimeout(r, 5))
    const updated = await store.customers.update(c.id, { name: 'Ada L.', metadata: { b: '2' } })
    expect(updated).toMatchObject({
      name: 'Ada L.',
      phone: '+1 555 0100',
      email: c.email,
      metadata: { b: '2' },
      version: 2,
    })
    expect(updated.updatedAt.getTime()).toBeGreaterThan(c.updatedAt.getTime())
    expect(updated.createdAt).toEqual(c.createdAt)
    expect(await store.customers.get(c.id)).toEqual(updated)
  })

  it('clears optional fields given as null', async () => {
    const c = await store.customers.create({
      email: email(),
      name: 'Ada',
      phone: '+1 555 0100',
      metadata: { a: '1' },
    })
    const updated = await store.customers.update(c.id, { name: null, phone: null, metadata: null })
    expect(updated).toMatchObject({ name: null, phone: null, metadata: {}, version: 2 })
  })

  it('accepts a current expectedVersion and refuses a stale one, changing nothing', async () => {
    const c = await store.customers.create({ email: email(), name: 'v1' })
    const v2 = await store.customers.update(c.id, { name: 'v2' }, { expectedVersion: 1 })
    expect(v2.version).toBe(2)
    const before = await rowOf(c.id)
    const error = await store.customers
      .update(c.id, { name: 'stale' }, { expectedVersion: 1 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(VersionConflictError)
    expect(error).toMatchObject({ code: 'VERSION_CONFLICT', id: c.id, expectedVersion: 1, actualVersion: 2 })
    expect(await rowOf(c.id)).toEqual(before)
  })

  it('lets only one of two writers holding the same version win', async () => {
    const c = await store.customers.create({ email: email() })
    const results = await Promise.allSettled([
      store.customers.update(c.id, { name: 'first' }, { expectedVersion: 1 }),
      store.customers.update(c.id, { name: 'second' }, { expectedVersion: 1 }),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(lost?.reason).toMatchObject({ code: 'VERSION_CONFLICT' })
    expect((await store.customers.get(c.id)).version).toBe(2)
  })

  it('throws NOT_FOUND for an unknown id, with or without expectedVersion', async () => {
    const missing = '01900000-0000-7000-8000-000000000001'
    await expect(store.customers.update(missing, { name: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(
      store.customers.update(missing, { name: 'x' }, { expectedVersion: 1 }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    await expect(store.customers.update(missing, {})).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('an empty patch returns the customer unchanged, without a new version', async () => {
    const c = await store.customers.create({ email: email(), name: 'same' })
    const before = await rowOf(c.id)
    expect(await store.customers.update(c.id, {})).toEqual(c)
    expect(await store.customers.update(c.id, {}, { expectedVersion: 1 })).toEqual(c)
    await expect(store.customers.update(c.id, {}, { expectedVersion: 7 })).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
      actualVersion: 1,
    })
    expect(await rowOf(c.id)).toEqual(before)
  })

  it('changes the email, keeping it unique regardless of case', async () => {
    const a = await store.customers.create({ email: 'taken@example.com' })
    const b = await store.customers.create({ email: email() })
    await expect(store.customers.update(b.id, { email: 'TAKEN@example.com' })).rejects.toMatchObject({
      code: 'DUPLICATE_EMAIL',
    })
    expect((await store.customers.get(b.id)).version).toBe(1)
    // A customer may change the case of their own email.
    const recased = await store.customers.update(a.id, { email: ' Taken@Example.com ' })
    expect(recased.email).toBe('Taken@Example.com')
    const moved = await store.customers.update(b.id, { email: 'New@Example.com' })
    expect((await store.customers.findByEmail('new@example.com'))?.id).toBe(moved.id)
  })

  it('refuses invalid patches and options and writes nothing', async () => {
    const c = await store.customers.create({ email: email(), name: 'keep' })
    const before = await rowOf(c.id)
    for (const call of [
      () => store.customers.update(c.id, { email: 'nope' }),
      () => store.customers.update(c.id, { email: null as never }),
      () => store.customers.update(c.id, { name: 'x'.repeat(201) }),
      () => store.customers.update(c.id, { phone: 'abc' }),
      () => store.customers.update(c.id, { nickname: 'x' } as never),
      () => store.customers.update(c.id, { name: 'ok' }, { expectedVersion: 0 }),
      () => store.customers.update(c.id, { name: 'ok' }, { expectedVersion: 1.5 }),
      () => store.customers.update(c.id, { name: 'ok' }, { force: true } as never),
      () => store.customers.update('', { name: 'ok' }),
      () => store.customers.update(c.id, null as never),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    }
    await expect(store.customers.update(c.id, { metadata: { pan: '1' } })).rejects.toMatchObject({
      code: 'CARD_DATA_REJECTED',
    })
    expect(await rowOf(c.id)).toEqual(before)
  })
})
