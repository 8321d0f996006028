import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder } from './support/orders.js'

// Instants outside what all three databases store exactly (1970-01-01 to 9999-12-31 UTC).
const OUT_OF_RANGE: Array<[string, number]> = [
  ['year -271821', -8_640_000_000_000_000],
  ['-9e15 ms', -9e15],
  ['year 0', Date.UTC(2000, 0, 1) - 2000 * 365.2425 * 86_400_000],
  ['1969-12-31T23:59:59.999Z', -1],
  ['year 10000', Date.UTC(10000, 0, 1)],
  ['year 275760', 8_640_000_000_000_000],
  ['+9e15 ms', 9e15],
]

const cursorAt = (ms: number, id: string) => Buffer.from(JSON.stringify([ms, id])).toString('base64url')

describeEachDatabase('dates: what enters stays in the range every dialect stores', (db) => {
  let store: CheckoutStore
  let orderIds: string[]
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
    const a = await store.orders.create(guestOrder({ note: 'first' }))
    const b = await store.orders.create(guestOrder({ note: 'second' }))
    orderIds = [a.id, b.id]
  })

  it('refuses out-of-range and invalid dates in createdAfter / createdBefore with VALIDATION_FAILED', async () => {
    const dates = [...OUT_OF_RANGE.map(([, ms]) => new Date(ms)), new Date(Number.NaN)]
    // Year 0 is built explicitly: Date.UTC maps 0–99 to 1900–1999.
    const yearZero = new Date(0)
    yearZero.setUTCFullYear(0)
    dates.push(yearZero)
    for (const date of dates) {
      for (const field of ['createdAfter', 'createdBefore'] as const) {
        const error = await store.orders.list({ [field]: date }).catch((e: unknown) => e)
        expect(error, `${field} ${date.getTime()}`).toMatchObject({ code: 'VALIDATION_FAILED' })
        expect((error as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain(field)
      }
    }
  })

  it('refuses cursors carrying out-of-range times with VALIDATION_FAILED, for orders and customers', async () => {
    for (const [label, ms] of OUT_OF_RANGE) {
      const cursor = cursorAt(ms, orderIds[0] as string)
      await expect(store.orders.list({ cursor }), label).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
      await expect(store.customers.list({ cursor }), label).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      })
    }
  })

  it('accepts the ends of the range and answers them exactly', async () => {
    const first = new Date(0)
    const last = new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999))
    const all = await store.orders.list({ createdAfter: first, createdBefore: last })
    expect(all.items.map((o) => o.id).sort()).toEqual([...orderIds].sort())
    expect((await store.orders.list({ createdAfter: last })).items).toEqual([])
    expect((await store.orders.list({ createdBefore: first })).items).toEqual([])
    const page = await store.orders.list({
      cursor: cursorAt(last.getTime(), 'ffffffff-ffff-7fff-bfff-ffffffffffff'),
    })
    expect(page.items.map((o) => o.id).sort()).toEqual([...orderIds].sort())
  })
})
