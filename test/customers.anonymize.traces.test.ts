import { createHash } from 'node:crypto'
import { uuidv7 } from 'uuidv7'
import { beforeAll, describe, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type OrderInput } from '../src/index.js'
import { tableNames } from '../src/schema/tables.js'
import { detectDialect } from '../src/sql/dialect.js'
import { toDbDate } from '../src/sql/values.js'
import { describeEachDatabase } from './support/databases.js'
import { leaksOf } from './support/erasure.js'

/*
 * What anonymize used to leave behind: actors that contain the name or email, guest orders under an
 * email the customer had before an update, idempotency keys whose text holds the email, and the request
 * hash that let a key holder confirm the erased input. And the placeholder nobody may take.
 */

const T = tableNames('checkout_')

const order = (who: { customerId?: string; email?: string }, note = 'ring twice'): OrderInput => ({
  ...who,
  currency: 'EUR',
  items: [{ sku: 'TEE-BLUE-M', name: 'Blue tee', quantity: 1, unitPrice: 1999 }],
  note,
})

/** The error a promise rejects with, as code and message (what a caller can see). */
async function answer(promise: Promise<unknown>): Promise<{ code: unknown; message: unknown }> {
  const error = (await promise.then(
    () => ({ code: 'resolved', message: '' }),
    (e: unknown) => e,
  )) as { code: unknown; message: unknown }
  return { code: error.code, message: error.message }
}

describeEachDatabase('customers.anonymize leaves nothing behind', (db) => {
  let store: CheckoutStore

  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('erases actors that contain the name, phone or an email, in any case, and keeps the others', async () => {
    const zelda = await store.customers.create({
      email: 'Zelda.Quokka@Example.org',
      name: 'Zelda Quokka',
      phone: '+61 2 9374 4000',
    })
    const placed = await store.orders.create(order({ customerId: zelda.id }))
    await store.orders.transition(placed.id, 'paid', { actor: 'customer:Zelda.Quokka@Example.org' })
    await store.orders.transition(placed.id, 'shipped', { actor: 'support (ZELDA QUOKKA on the phone)' })
    await store.orders.transition(placed.id, 'delivered', { actor: 'courier, called +61 2 9374 4000' })
    await store.orders.transition(placed.id, 'refunded', { actor: 'staff:bob_50%' })

    await store.customers.anonymize(zelda.id)
    const placeholder = `${zelda.id}@anonymized.invalid`
    const events = await store.orders.events(placed.id)
    expect(events.map((e) => e.actor)).toEqual([null, placeholder, placeholder, placeholder, 'staff:bob_50%'])
    expect(await leaksOf(db().knex, ['zelda.quokka@example.org', 'Zelda Quokka', '9374 4000'])).toEqual([])
  })

  it('erases guest orders placed under every email the customer has had, and the history with them', async () => {
    const ana = await store.customers.create({ email: 'ana.first@example.net', name: 'Ana Kowal' })
    const underFirst = await store.orders.create(order({ email: 'Ana.First@Example.net' }, 'for Ana'))
    await store.customers.update(ana.id, { email: 'ana.second@example.net' })
    const underSecond = await store.orders.create(order({ email: 'ana.second@example.net' }))
    await store.customers.update(ana.id, { name: 'Ana K.' }) // no new email, no history row
    await store.customers.update(ana.id, { email: 'Ana.Third@example.net' })
    await store.customers.update(ana.id, { email: 'ana.second@example.net' }) // back to an earlier one
    const underThird = await store.orders.create(order({ email: 'ana.third@example.net' }))
    // Someone else, whose email merely contains Ana's first one.
    const other = await store.orders.create(order({ email: 'hana.first@example.net' }))
    const history = await db().knex(T.customerEmails).where('customer_id', ana.id).orderBy('email_normalized')
    expect(history.map((h) => h.email_normalized)).toEqual([
      'ana.first@example.net',
      'ana.second@example.net',
      'ana.third@example.net',
    ])

    await store.customers.anonymize(ana.id)
    const placeholder = `${ana.id}@anonymized.invalid`
    for (const id of [underFirst.id, underSecond.id, underThird.id]) {
      expect(await store.orders.get(id)).toMatchObject({ email: placeholder, note: null, customerId: null })
    }
    expect(await store.orders.get(other.id)).toMatchObject({ email: 'hana.first@example.net' })
    expect(await db().knex(T.customerEmails).where('customer_id', ana.id)).toEqual([])
    const leaks = await leaksOf(db().knex, ['ana.first@', 'ana.second@', 'ana.third@', 'Ana K'])
    expect(leaks.filter((l) => !l.value.includes('hana.first@'))).toEqual([])
  })

  it('keeps a replaced email only when the update commits', async () => {
    const cy = await store.customers.create({ email: 'cy.one@example.net' })
    await expect(
      store.customers.update(cy.id, { email: 'cy.two@example.net' }, { expectedVersion: 7 }),
    ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' })
    await store.customers.create({ email: 'taken@example.net' })
    await expect(store.customers.update(cy.id, { email: 'taken@example.net' })).rejects.toMatchObject({
      code: 'DUPLICATE_EMAIL',
    })
    expect(await db().knex(T.customerEmails).where('customer_id', cy.id)).toEqual([])
  })

  it('replaces the keys of erased orders, and keys holding an email, so a replay learns nothing', async () => {
    const kim = await store.customers.create({ email: 'kim.quill@example.com', name: 'Kim Quill' })
    const input = order({ customerId: kim.id })
    const own = await store.orders.create(input, { idempotencyKey: 'checkout-Kim.Quill@Example.com-1' })
    const plain = await store.orders.create(order({ customerId: kim.id }, 'second'), {
      idempotencyKey: uuidv7(),
    })
    // A gift someone else bought, with a key the shop built from Kim's email: it names Kim.
    const gift = await store.orders.create(order({ email: 'giver@example.com' }), {
      idempotencyKey: 'gift-for-kim.quill@example.com',
    })
    // Another person whose address is a prefix of Kim's: the key does not hold Kim's.
    const lookalike = await store.orders.create(order({ email: 'kim.quill@example.co' }), {
      idempotencyKey: 'checkout-kim.quill@example.co',
    })

    // Before: the key holder can confirm the input (same input: the order; other input: reused).
    expect(
      (await store.orders.create(input, { idempotencyKey: 'checkout-Kim.Quill@Example.com-1' })).id,
    ).toBe(own.id)
    await store.customers.anonymize(kim.id, { force: true })

    const keys = await db()
      .knex(T.idempotencyKeys)
      .whereIn('order_id', [own.id, plain.id, gift.id, lookalike.id])
    const byOrder = new Map(keys.map((k) => [k.order_id, k]))
    for (const id of [own.id, plain.id, gift.id]) {
      expect(byOrder.get(id)?.key).toMatch(/^erased:[0-9a-f]{64}$/)
      expect(byOrder.get(id)?.request_hash).toBe('')
    }
    expect(byOrder.get(gift.id)?.key).toBe(
      `erased:${createHash('sha256').update('gift-for-kim.quill@example.com').digest('hex')}`,
    )
    expect(byOrder.get(lookalike.id)).toMatchObject({ key: 'checkout-kim.quill@example.co' })
    expect(await leaksOf(db().knex, ['kim.quill@example.com', 'Kim Quill'])).toEqual([])

    // After: the same key answers one way whatever the input, and makes no new order.
    const { orders } = (await db().knex(T.orders).count({ orders: '*' }).first()) as { orders: unknown }
    const same = await answer(
      store.orders.create(input, { idempotencyKey: 'checkout-Kim.Quill@Example.com-1' }),
    )
    const other = await answer(
      store.orders.create(order({ email: 'x@example.com' }, 'other'), {
        idempotencyKey: 'checkout-Kim.Quill@Example.com-1',
      }),
    )
    expect(same.code).toBe('IDEMPOTENCY_KEY_REUSED')
    expect(other).toEqual(same)
    const giftReplay = await answer(
      store.orders.create(order({ email: 'giver@example.com' }), {
        idempotencyKey: 'gift-for-kim.quill@example.com',
      }),
    )
    expect(giftReplay.code).toBe('IDEMPOTENCY_KEY_REUSED')
    expect(
      Number(((await db().knex(T.orders).count({ orders: '*' }).first()) as { orders: unknown }).orders),
    ).toBe(Number(orders))
    // The look-alike's key still replays as before.
    expect(
      (
        await store.orders.create(order({ email: 'kim.quill@example.co' }), {
          idempotencyKey: 'checkout-kim.quill@example.co',
        })
      ).id,
    ).toBe(lookalike.id)
  })

  describe('the .invalid domain', () => {
    it('is refused in customer and order emails, in any case, writing nothing', async () => {
      const victim = await store.customers.create({ email: 'victim@example.com' })
      const count = async () =>
        Number(((await db().knex(T.customers).count({ n: '*' }).first()) as { n: unknown }).n) +
        Number(((await db().knex(T.orders).count({ n: '*' }).first()) as { n: unknown }).n)
      const before = await count()
      for (const email of [`${victim.id}@anonymized.invalid`, 'Someone@Shop.INVALID', ' x@a.b.invalid ']) {
        await expect(store.customers.create({ email })).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
          issues: [{ path: 'email' }],
        })
        await expect(store.customers.update(victim.id, { email })).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        })
        await expect(store.orders.create(order({ email }))).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        })
        await expect(store.orders.create(order({ customerId: victim.id, email }))).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        })
      }
      expect(await count()).toBe(before)
      // The other reserved names are for tests and documentation, which shops' staging data uses.
      for (const email of [
        'qa@shop.test',
        'ada@example.example',
        'dev@box.localhost',
        'a@invalid.example.com',
      ]) {
        expect((await store.customers.create({ email })).email).toBe(email)
      }
    })

    it('a customer already holding the placeholder cannot make the erasure fail', async () => {
      const victim = await store.customers.create({ email: 'target@example.com', name: 'Tara Get' })
      // Signed up before .invalid was refused: written as such a release would have.
      const now = toDbDate(detectDialect(db().knex), new Date())
      await db()
        .knex(T.customers)
        .insert({
          id: uuidv7(),
          email: `${victim.id}@anonymized.invalid`,
          email_normalized: `${victim.id}@anonymized.invalid`,
          version: 1,
          created_at: now,
          updated_at: now,
        })
      const erased = await store.customers.anonymize(victim.id)
      expect(erased.email).toMatch(new RegExp(`^${victim.id}\\.[0-9a-f]{16}@anonymized\\.invalid$`))
      expect(erased).toMatchObject({ name: null, anonymizedAt: expect.any(Date) })
      expect(await store.customers.anonymize(victim.id)).toEqual(erased)
      expect(await leaksOf(db().knex, ['target@example.com', 'Tara Get'])).toEqual([])
    })
  })
})
