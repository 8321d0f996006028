import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type OrderInput } from '../src/index.js'
import { parseOrderInput } from '../src/orders/order-input.js'
import { allocate, refundableTotal, unitsRefundAmount } from '../src/payments/allocation.js'
import { describeEachDatabase } from './support/databases.js'

/** Random orders: 1–6 lines, any tax, any discount the total allows, any shipping. */
const orderArb = fc
  .record({
    lines: fc.array(
      fc.record({
        quantity: fc.integer({ min: 1, max: 12 }),
        unitPrice: fc.integer({ min: 0, max: 100_000 }),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    shippingTotal: fc.integer({ min: 0, max: 5_000 }),
    taxTotal: fc.integer({ min: 0, max: 50_000 }),
    discountFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ lines, shippingTotal, taxTotal, discountFraction }): OrderInput => {
    const subtotal = lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0)
    const discountTotal = Math.floor((subtotal + shippingTotal + taxTotal) * discountFraction)
    return {
      email: 'p@example.com',
      currency: 'USD',
      items: lines.map((l, i) => ({ sku: `S${i}`, name: 'x', ...l })),
      shippingTotal,
      taxTotal,
      discountTotal,
    }
  })

/** An order and a random split of every unit of every line into refunds of 1 or more units. */
const splitArb = orderArb.chain((input) =>
  fc
    .tuple(
      ...input.items.map((line) =>
        fc.array(fc.integer({ min: 1, max: line.quantity }), { maxLength: line.quantity }),
      ),
    )
    .map((chunks) => ({ input, chunks })),
)

/** Cuts `quantity` into refunds of the sizes asked for, the last one taking what is left. */
function cut(quantity: number, sizes: readonly number[]): number[] {
  const out: number[] = []
  let left = quantity
  for (const size of sizes) {
    if (left === 0) break
    const take = Math.min(size, left)
    out.push(take)
    left -= take
  }
  if (left > 0) out.push(left)
  return out
}

describe('payments allocation (properties)', () => {
  it('allocate hands out exactly the amount, in integers, each part within 1 of its exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }),
        (amount, weights) => {
          const parts = allocate(amount, weights)
          expect(parts.reduce((a, b) => a + b, 0)).toBe(amount)
          const total = weights.reduce((a, b) => a + b, 0)
          parts.forEach((part, i) => {
            expect(Number.isSafeInteger(part) && part >= 0).toBe(true)
            const exact = total === 0 ? amount / weights.length : (amount * (weights[i] as number)) / total
            expect(Math.abs(part - exact)).toBeLessThan(1)
            if (amount <= total) expect(part).toBeLessThanOrEqual(weights[i] as number)
          })
        },
      ),
      { numRuns: 500 },
    )
  })

  it('refunding every unit of every line, in any split, gives back exactly the total less shipping', () => {
    fc.assert(
      fc.property(splitArb, ({ input, chunks }) => {
        const { totals, shares } = parseOrderInput(input)
        let refunded = 0
        input.items.forEach((line, i) => {
          const share = shares[i] as { taxTotal: number; discountTotal: number }
          const refundable = refundableTotal({ total: totals.lineTotals[i] as number, ...share })
          expect(refundable).toBeGreaterThanOrEqual(0)
          let done = 0
          let lineRefunded = 0
          for (const units of cut(line.quantity, chunks[i] as number[])) {
            const amount = unitsRefundAmount(refundable, line.quantity, done, units)
            expect(Number.isSafeInteger(amount) && amount >= 0).toBe(true)
            done += units
            lineRefunded += amount
          }
          expect(lineRefunded).toBe(refundable)
          refunded += lineRefunded
        })
        expect(refunded).toBe(Math.max(0, totals.total - (input.shippingTotal ?? 0)))
        expect(shares.reduce((sum, s) => sum + s.taxTotal, 0)).toBe(input.taxTotal)
      }),
      { numRuns: 500 },
    )
  })

  it("takes the shop's own per-line tax and discount, and the order's totals are their sums", () => {
    const valid = parseOrderInput({
      email: 'p@example.com',
      currency: 'EUR',
      items: [
        { sku: 'A', name: 'a', quantity: 3, unitPrice: 1000, taxTotal: 570, discountTotal: 300 },
        { sku: 'B', name: 'b', quantity: 1, unitPrice: 500, taxTotal: 35 },
      ],
    })
    expect(valid.input).toMatchObject({ taxTotal: 605, discountTotal: 300 })
    expect(valid.totals.total).toBe(3500 + 605 - 300)
    expect(valid.shares).toEqual([
      { taxTotal: 570, discountTotal: 300 },
      { taxTotal: 35, discountTotal: 0 },
    ])
    const conflicting = {
      email: 'p@example.com',
      currency: 'EUR',
      taxTotal: 1,
      items: [{ sku: 'A', name: 'a', quantity: 1, unitPrice: 10, taxTotal: 2 }],
    }
    expect(() => parseOrderInput(conflicting)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        issues: [expect.objectContaining({ path: 'taxTotal' })],
      }),
    )
    const tooMuch = {
      email: 'p@example.com',
      currency: 'EUR',
      items: [{ sku: 'A', name: 'a', quantity: 1, unitPrice: 10, discountTotal: 11 }],
    }
    expect(() => parseOrderInput(tooMuch)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }))
  })
})

describeEachDatabase('payments allocation (stored)', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('random orders refunded by line in random splits give back exactly the total less shipping', async () => {
    await fc.assert(
      fc.asyncProperty(splitArb, async ({ input, chunks }) => {
        const order = await store.orders.create(input)
        if (order.total === 0) return
        const sale = await store.payments.authorize(order.id, {
          provider: 'p',
          reference: 'r',
          amount: order.total,
          capture: true,
        })
        const done = order.items.map(() => 0)
        let last = sale
        // Interleave the lines' refunds: round by round, one chunk of each line that has one left.
        const plans = order.items.map((line, i) => cut(line.quantity, chunks[i] as number[]))
        for (let round = 0; plans.some((p) => p.length > round); round++) {
          const items = order.items
            .map((line, i) => ({ lineId: line.id, quantity: plans[i]?.[round] ?? 0 }))
            .filter((item) => item.quantity > 0)
          last = await store.payments.refund(sale.id, { items })
          for (const t of last.transactions.at(-1)?.items ?? []) expect(t.amount).toBeGreaterThanOrEqual(0)
          items.forEach((item) => {
            const i = order.items.findIndex((l) => l.id === item.lineId)
            done[i] = (done[i] ?? 0) + item.quantity
          })
        }
        expect(last.refundedAmount).toBe(Math.max(0, order.total - order.shippingTotal))
        const read = await store.orders.get(order.id)
        expect(read.items.map((l) => l.refundedQuantity)).toEqual(order.items.map((l) => l.quantity))
      }),
      { numRuns: 6 },
    )
  })
})
