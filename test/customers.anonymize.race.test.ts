import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type Order, type OrderInput } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { leaksOf } from './support/erasure.js'
import { separateStores } from './support/stores.js'

/*
 * Erasure wins every race: orders placed for a customer while `customers.anonymize` runs, on pools of
 * their own, either commit before it and are erased with the rest, or fail with CUSTOMER_ANONYMIZED.
 * None commits the old personal data after the erasure, whether the order names the customer alone or
 * also repeats their email.
 */

const CREATES = 24

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describeEachDatabase('customers.anonymize races orders.create', (db, name) => {
  let store: CheckoutStore

  beforeAll(async () => {
    if (name === 'sqlite-file') await db().knex.raw('pragma journal_mode = WAL')
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  for (const round of [1, 2, 3]) {
    it(`round ${round}: no order commits the old email, name or phone after the erasure`, async () => {
      const person = {
        email: `Zelda.Quokka${round}@Example.org`,
        name: `Zelda Quokka${round}`,
        phone: `+44 20 7946 10${round}0`,
      }
      const zelda = await store.customers.create(person)
      const order = (i: number): OrderInput => ({
        customerId: zelda.id,
        // Half repeat the customer's email, as a checkout form would send it.
        ...(i % 2 === 0 ? { email: person.email } : {}),
        currency: 'EUR',
        items: [{ sku: 'TEE-BLUE-M', name: 'Blue tee', quantity: 1, unitPrice: 1999 }],
        shippingAddress: {
          name: person.name,
          line1: '1 Wombat Way',
          city: 'Bath',
          postalCode: 'BA1 1AA',
          country: 'GB',
          phone: person.phone,
        },
        note: `call ${person.name} on ${person.phone}`,
      })
      // One order before the race, so the erasure has something to erase whoever wins.
      const first = await store.orders.create(order(0))
      const stores = separateStores(db(), name, CREATES + 1)
      const [eraser, ...creators] = stores as [CheckoutStore, ...CheckoutStore[]]
      // Connections open before the race, so the erasure starts among the creates, not after them.
      await Promise.all(stores.map((s) => s.customers.find(zelda.id)))
      const half = CREATES / 2
      // The first half races the erasure from the start, a few milliseconds apart.
      const early = creators.slice(0, half).map((s, i) => sleep(i * 4).then(() => s.orders.create(order(i))))
      // The second half starts while the erasure holds its lock: the host's transaction has more to do.
      let late: Array<Promise<Order>> = []
      const erasure = sleep(half * 2).then(() =>
        eraser.transaction(async (tx) => {
          const erased = await tx.customers.anonymize(zelda.id, { force: true })
          late = creators.slice(half).map((s, i) => s.orders.create(order(half + i)))
          // Settled below, after the commit they wait for.
          for (const pending of late) pending.catch(() => undefined)
          await sleep(50)
          return erased
        }),
      )
      const results: Array<PromiseSettledResult<unknown>> = [
        ...(await Promise.allSettled([...early, erasure])),
      ]
      results.splice(half, 0, ...(await Promise.allSettled(late)))
      const eraseResult = results.at(-1)
      expect(eraseResult?.status).toBe('fulfilled')
      const created: string[] = [first.id]
      for (const result of results.slice(0, CREATES)) {
        if (result.status === 'fulfilled') created.push((result.value as Order).id)
        else expect(result.reason).toMatchObject({ code: 'CUSTOMER_ANONYMIZED', id: zelda.id })
      }
      // Those started while the erasure held the customer's lock waited for it, and were all refused.
      expect(results.slice(half, CREATES).map((r) => r.status)).toEqual(Array(half).fill('rejected'))
      console.info(
        `[${name}] round ${round}: ${created.length - 1} of ${CREATES} racing orders committed before the erasure, the rest refused`,
      )

      // Every order that did commit belongs to the erased customer and holds none of their data.
      const placeholder = `${zelda.id}@anonymized.invalid`
      for (const id of created) {
        const stored = await store.orders.get(id)
        expect(stored).toMatchObject({ email: placeholder, note: null, customerId: zelda.id })
        expect(stored.shippingAddress).toMatchObject({ name: null, line1: null, phone: null })
      }
      expect(await leaksOf(db().knex, [person.email, person.name, person.phone])).toEqual([])
      // And after it, the customer can no longer be ordered for.
      await expect(store.orders.create(order(1))).rejects.toMatchObject({ code: 'CUSTOMER_ANONYMIZED' })
      await expect(store.orders.create(order(0))).rejects.toMatchObject({ code: 'CUSTOMER_ANONYMIZED' })
      await expect(store.orders.createMany([order(2), order(3)])).rejects.toMatchObject({
        code: 'CUSTOMER_ANONYMIZED',
      })
      expect(await leaksOf(db().knex, [person.email, person.name, person.phone])).toEqual([])
    })
  }
})
