import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ValidationError, type ValidationIssue } from '../src/errors.js'
import {
  CURRENCY_CODES,
  computeOrderTotals,
  currencyExponent,
  isCurrencyCode,
  isMinorUnitAmount,
  multiplyMinorUnits,
  type OrderTotalsInput,
  sumMinorUnits,
} from '../src/money.js'

const MAX = Number.MAX_SAFE_INTEGER
const MAX_BIG = BigInt(MAX)

function issuesOf(run: () => unknown): readonly ValidationIssue[] {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError)
    return (error as ValidationError).issues
  }
  throw new Error('expected a ValidationError')
}

describe('ISO 4217 table', () => {
  it.each([
    ['JPY', 0],
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['KWD', 3],
    ['BHD', 3],
    ['TND', 3],
    ['CLP', 0],
    ['ISK', 0],
    ['KRW', 0],
    ['VND', 0],
    ['XAF', 0],
    ['XOF', 0],
    ['XPF', 0],
    ['UYI', 0],
    ['CLF', 4],
    ['UYW', 4],
    // ISO says 2 or 3 where Intl formats with 0 decimals: the table must not follow Intl.
    ['IQD', 3],
    ['HUF', 2],
    ['IDR', 2],
    ['COP', 2],
  ])('%s has exponent %i', (code, exponent) => {
    expect(isCurrencyCode(code)).toBe(true)
    expect(currencyExponent(code)).toBe(exponent)
  })

  it.each(['usd', 'Usd', 'US', 'USDX', '', 'XAU', 'XDR', 'XXX', 'XTS', 'HRK', 'ZWL', 'ABC'])(
    'rejects %j',
    (code) => {
      expect(isCurrencyCode(code)).toBe(false)
      expect(CURRENCY_CODES.has(code)).toBe(false)
      expect(issuesOf(() => currencyExponent(code))).toEqual([
        { path: 'currency', message: expect.stringContaining('ISO 4217') },
      ])
    },
  )

  it('holds only codes that Node knows (catches typos)', () => {
    // DisplayNames falls back to the code itself for a code it does not know.
    const names = new Intl.DisplayNames(['en'], { type: 'currency' })
    expect([...CURRENCY_CODES].filter((code) => names.of(code) === code)).toEqual([])
    // supportedValuesOf lists legal tender only: funds codes and codes newer than Node's ICU are missing.
    const supported = new Set(Intl.supportedValuesOf('currency'))
    const fundsOrNewer = ['BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW', 'VED', 'XCG', 'ZWG']
    expect(
      [...CURRENCY_CODES].filter((code) => !supported.has(code) && !fundsOrNewer.includes(code)),
    ).toEqual([])
  })

  it('misses no code that Node lists, except withdrawn ones and those without a minor unit', () => {
    const excluded = ['ANG', 'CUC', 'HRK', 'SLL', 'ZWL', 'XDR', 'XSU', 'XUA', 'XAU', 'XAG', 'XPD', 'XPT']
    const missing = Intl.supportedValuesOf('currency').filter(
      (code) => !CURRENCY_CODES.has(code) && !excluded.includes(code),
    )
    // A failure here most likely means ISO 4217 was amended: update the table in src/money.ts.
    expect(missing).toEqual([])
  })

  it('has every code once, as three uppercase letters, with exponent 0, 2, 3 or 4', () => {
    for (const code of CURRENCY_CODES) {
      expect(code).toMatch(/^[A-Z]{3}$/)
      expect([0, 2, 3, 4]).toContain(currencyExponent(code))
    }
    expect(CURRENCY_CODES.size).toBeGreaterThan(150)
  })
})

describe('integer helpers', () => {
  it('accepts only non-negative safe integers as amounts', () => {
    for (const value of [0, 1, 1999, MAX]) expect(isMinorUnitAmount(value)).toBe(true)
    for (const value of [-1, 0.5, 19.99, MAX + 1, Number.NaN, Number.POSITIVE_INFINITY, '1', 1n, null]) {
      expect(isMinorUnitAmount(value)).toBe(false)
    }
  })

  it('sums exactly up to MAX_SAFE_INTEGER and returns undefined past it', () => {
    expect(sumMinorUnits([])).toBe(0)
    expect(sumMinorUnits([1999, 1, 500])).toBe(2500)
    expect(sumMinorUnits([MAX - 1, 1])).toBe(MAX)
    expect(sumMinorUnits([MAX, 1])).toBeUndefined()
    expect(sumMinorUnits([MAX, 0, 1])).toBeUndefined()
    expect(sumMinorUnits([2 ** 52, 2 ** 52])).toBeUndefined()
    expect(sumMinorUnits([1, -1])).toBeUndefined()
    expect(sumMinorUnits([0.5, 0.5])).toBeUndefined()
  })

  it('multiplies exactly up to MAX_SAFE_INTEGER and returns undefined past it', () => {
    expect(multiplyMinorUnits(2, 1999)).toBe(3998)
    expect(multiplyMinorUnits(0, MAX)).toBe(0)
    expect(multiplyMinorUnits(1, MAX)).toBe(MAX)
    expect(multiplyMinorUnits(2, 2 ** 52)).toBeUndefined()
    expect(multiplyMinorUnits(94906266, 94906266)).toBeUndefined() // just past 2^53
    expect(multiplyMinorUnits(94906265, 94906265)).toBe(9007199136250225) // just below it
    expect(multiplyMinorUnits(-2, 3)).toBeUndefined()
    expect(multiplyMinorUnits(1.5, 2)).toBeUndefined()
  })

  it('agrees with BigInt arithmetic', () => {
    const amount = fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: MAX }))
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        const product = BigInt(a) * BigInt(b)
        expect(multiplyMinorUnits(a, b)).toBe(product <= MAX_BIG ? Number(product) : undefined)
      }),
      { numRuns: 500 },
    )
    fc.assert(
      fc.property(fc.array(amount, { maxLength: 6 }), (amounts) => {
        const sum = amounts.reduce((total, a) => total + BigInt(a), 0n)
        expect(sumMinorUnits(amounts)).toBe(sum <= MAX_BIG ? Number(sum) : undefined)
      }),
      { numRuns: 500 },
    )
  })
})

describe('computeOrderTotals', () => {
  const base: OrderTotalsInput = {
    lines: [{ quantity: 2, unitPrice: 1999 }],
    shippingTotal: 500,
    taxTotal: 320,
    discountTotal: 0,
  }

  it('computes the README example', () => {
    expect(computeOrderTotals(base)).toEqual({ lineTotals: [3998], subtotal: 3998, total: 4818 })
  })

  it('computes an order without lines', () => {
    expect(computeOrderTotals({ ...base, lines: [] })).toEqual({ lineTotals: [], subtotal: 0, total: 820 })
  })

  it('accepts a total of exactly 0 and of exactly MAX_SAFE_INTEGER', () => {
    expect(computeOrderTotals({ ...base, discountTotal: 4818 }).total).toBe(0)
    const atMax = { ...base, lines: [{ quantity: 1, unitPrice: MAX - 820 }] }
    expect(computeOrderTotals(atMax).total).toBe(MAX)
  })

  it('lets a discount bring a sum past MAX_SAFE_INTEGER back into range', () => {
    // Adding shipping before subtracting the discount would pass MAX_SAFE_INTEGER and round.
    const input = {
      lines: [{ quantity: 1, unitPrice: MAX }],
      shippingTotal: 5,
      taxTotal: 3,
      discountTotal: 10,
    }
    expect(computeOrderTotals(input).total).toBe(MAX - 2)
  })

  it('rejects a discount that would make the total negative, instead of clamping', () => {
    expect(issuesOf(() => computeOrderTotals({ ...base, discountTotal: 4819 }))).toEqual([
      { path: 'discountTotal', message: 'the discount would make the total negative' },
    ])
  })

  it('rejects line totals, a subtotal and a total past MAX_SAFE_INTEGER with their paths', () => {
    const lines = [
      { quantity: 1, unitPrice: 1 },
      { quantity: 2, unitPrice: 2 ** 52 },
      { quantity: 3, unitPrice: MAX },
    ]
    expect(issuesOf(() => computeOrderTotals({ ...base, lines })).map((i) => i.path)).toEqual([
      'items.1',
      'items.2',
    ])
    const subtotal = [
      { quantity: 1, unitPrice: MAX },
      { quantity: 1, unitPrice: 1 },
    ]
    expect(issuesOf(() => computeOrderTotals({ ...base, lines: subtotal }))).toEqual([
      { path: 'subtotal', message: expect.stringContaining('MAX_SAFE_INTEGER') },
    ])
    const total = [{ quantity: 1, unitPrice: MAX - 819 }]
    expect(issuesOf(() => computeOrderTotals({ ...base, lines: total }))).toEqual([
      { path: 'total', message: 'the total exceeds Number.MAX_SAFE_INTEGER' },
    ])
  })

  it('re-checks that every amount is a non-negative safe integer', () => {
    const input = {
      lines: [
        { quantity: 1.5, unitPrice: 100 },
        { quantity: 1, unitPrice: -1 },
      ],
      shippingTotal: Number.NaN,
      taxTotal: MAX + 1,
      discountTotal: 0.1,
    }
    expect(issuesOf(() => computeOrderTotals(input)).map((i) => i.path)).toEqual([
      'items.0.quantity',
      'items.1.unitPrice',
      'shippingTotal',
      'taxTotal',
      'discountTotal',
    ])
  })

  type Outcome = 'ok' | 'items' | 'subtotal' | 'total' | 'discountTotal'

  /** The reference: BigInt arithmetic, which never rounds. */
  function expectedOutcome(input: OrderTotalsInput): { outcome: Outcome; path?: string; totals?: object } {
    const lineTotals = input.lines.map((line) => BigInt(line.quantity) * BigInt(line.unitPrice))
    const overflowing = lineTotals.findIndex((lineTotal) => lineTotal > MAX_BIG)
    if (overflowing !== -1) return { outcome: 'items', path: `items.${overflowing}` }
    const subtotal = lineTotals.reduce((sum, lineTotal) => sum + lineTotal, 0n)
    if (subtotal > MAX_BIG) return { outcome: 'subtotal', path: 'subtotal' }
    const total =
      subtotal + BigInt(input.shippingTotal) + BigInt(input.taxTotal) - BigInt(input.discountTotal)
    if (total < 0n) return { outcome: 'discountTotal', path: 'discountTotal' }
    if (total > MAX_BIG) return { outcome: 'total', path: 'total' }
    return {
      outcome: 'ok',
      totals: { lineTotals: lineTotals.map(Number), subtotal: Number(subtotal), total: Number(total) },
    }
  }

  function checkAgainstReference(input: OrderTotalsInput, seen: Map<Outcome, number>): void {
    const expected = expectedOutcome(input)
    seen.set(expected.outcome, (seen.get(expected.outcome) ?? 0) + 1)
    if (expected.outcome === 'ok') {
      expect(computeOrderTotals(input)).toEqual(expected.totals)
    } else {
      expect(issuesOf(() => computeOrderTotals(input))[0]?.path).toBe(expected.path)
    }
  }

  // Small, large and extreme amounts, so that every outcome comes up often.
  const amount = fc.oneof(
    fc.integer({ min: 0, max: 100_000 }),
    fc.integer({ min: 0, max: MAX }),
    fc.integer({ min: MAX - 1000, max: MAX }),
    fc.constantFrom(0, 1, 2 ** 52, MAX),
  )
  const quantity = fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 3 }), weight: 6 },
    { arbitrary: fc.integer({ min: 0, max: 2 ** 26 }), weight: 1 },
    { arbitrary: amount, weight: 1 },
  )
  const lines = fc.array(fc.record({ quantity, unitPrice: amount }), { maxLength: 4 })

  it('equals BigInt arithmetic, and throws exactly when that leaves [0, MAX_SAFE_INTEGER]', () => {
    const seen = new Map<Outcome, number>()
    fc.assert(
      fc.property(lines, amount, amount, amount, (lines, shippingTotal, taxTotal, discountTotal) => {
        checkAgainstReference({ lines, shippingTotal, taxTotal, discountTotal }, seen)
      }),
      { numRuns: 2000 },
    )
    // A property that never reaches a branch proves nothing about it.
    for (const outcome of ['ok', 'items', 'subtotal', 'total', 'discountTotal'] as const) {
      expect(seen.get(outcome) ?? 0, outcome).toBeGreaterThan(20)
    }
  })

  it('equals BigInt arithmetic around the edges of the range, 0 and MAX_SAFE_INTEGER', () => {
    const seen = new Map<Outcome, number>()
    const small = fc.integer({ min: 0, max: 1000 })
    fc.assert(
      fc.property(
        fc.array(fc.record({ quantity: fc.integer({ min: 0, max: 3 }), unitPrice: small }), { maxLength: 3 }),
        small,
        fc.integer({ min: -3, max: 3 }),
        fc.boolean(),
        (lines, taxTotal, offset, nearMax) => {
          const subtotal = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0)
          // Choose shipping or discount so that the exact total lands within 3 of a bound.
          const input = nearMax
            ? { lines, taxTotal, discountTotal: 0, shippingTotal: MAX - subtotal - taxTotal + offset }
            : { lines, taxTotal, shippingTotal: 0, discountTotal: subtotal + taxTotal + offset }
          if (input.shippingTotal < 0 || input.discountTotal < 0 || input.shippingTotal > MAX) return
          checkAgainstReference(input, seen)
        },
      ),
      { numRuns: 500 },
    )
    for (const outcome of ['ok', 'total', 'discountTotal'] as const) {
      expect(seen.get(outcome) ?? 0, outcome).toBeGreaterThan(20)
    }
  })
})
