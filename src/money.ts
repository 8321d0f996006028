import { ValidationError, type ValidationIssue } from './errors.js'

/**
 * ISO 4217 List One, grouped by minor-unit exponent: every current code whose minor unit is a number,
 * funds codes (BOV, CHE, CHW, COU, MXV, USN, UYI, UYW, CLF) included.
 *
 * Left out on purpose: codes whose ISO minor unit is "N.A." (precious metals XAU/XAG/XPD/XPT, XDR, XSU,
 * XUA, the bond-market units XBA–XBD, XTS and XXX), because an amount in minor units means nothing for
 * them; and withdrawn codes (ANG, CUC, HRK, SLL, ZWL, …). The exponent is ISO's, which is what payment
 * providers use, not Intl's: Intl formats IQD (ISO: 3), HUF, IDR or COP (ISO: 2) with 0 decimals.
 * Update this table when ISO 4217 is amended.
 */
const CODES_BY_EXPONENT: readonly (readonly [exponent: number, codes: string])[] = [
  [0, 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'],
  [
    2,
    'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF ' +
      'CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD ' +
      'GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL ' +
      'MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR ' +
      'PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP ' +
      'TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG',
  ],
  [3, 'BHD IQD JOD KWD LYD OMR TND'],
  [4, 'CLF UYW'],
]

const EXPONENTS: ReadonlyMap<string, number> = new Map(
  CODES_BY_EXPONENT.flatMap(([exponent, codes]) => codes.split(' ').map((code) => [code, exponent] as const)),
)

/**
 * Every ISO 4217 currency code the library accepts (uppercase, such as `USD`), from the bundled table.
 * See {@link isCurrencyCode} for what is left out.
 */
export const CURRENCY_CODES: ReadonlySet<string> = new Set(EXPONENTS.keys())

/**
 * Whether `code` is a current ISO 4217 currency code with a numeric minor unit. Uppercase only: `usd` is
 * not accepted, so that one currency is never stored under two spellings.
 *
 * Codes whose ISO minor unit is "N.A." (XAU, XDR, XXX, …) and withdrawn codes (HRK, ZWL, …) are rejected.
 *
 * @param code - The code to check.
 * @returns `true` when `code` is in the bundled ISO 4217 table.
 */
export function isCurrencyCode(code: string): boolean {
  return EXPONENTS.has(code)
}

/**
 * The number of decimal places of `code`'s minor unit, from the bundled ISO 4217 table (never from Intl):
 * `0` for JPY (¥500 is stored as 500), `2` for USD (1999 is $19.99), `3` for KWD, `4` for CLF.
 *
 * @param code - An uppercase ISO 4217 code.
 * @returns The exponent: 0, 2, 3 or 4.
 * @throws {@link ValidationError} with path `currency` when `code` is not in the table; check with
 * {@link isCurrencyCode} first to avoid the throw.
 *
 * @example
 * ```ts
 * const exponent = currencyExponent('USD') // 2
 * const major = 1999 / 10 ** exponent      // 19.99, for display only: store minor units
 * ```
 */
export function currencyExponent(code: string): number {
  const exponent = EXPONENTS.get(code)
  if (exponent === undefined) {
    throw new ValidationError([{ path: 'currency', message: 'is not an uppercase ISO 4217 currency code' }])
  }
  return exponent
}

/**
 * Whether `value` is a valid amount in minor units: a non-negative safe integer (so 19.99 and -1 are not).
 *
 * @param value - Anything.
 * @returns `true` when `value` is an integer in `[0, Number.MAX_SAFE_INTEGER]`.
 */
export function isMinorUnitAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/**
 * Adds amounts in minor units, exactly.
 *
 * The helpers here never throw: they return `undefined` when an input is not a minor-unit amount
 * ({@link isMinorUnitAmount}) or when the exact result would pass `Number.MAX_SAFE_INTEGER` (a float sum
 * past it would be silently rounded). {@link computeOrderTotals} turns that into a `ValidationError`.
 *
 * @param amounts - Non-negative safe integers.
 * @returns The sum (`0` for no amounts), or `undefined` when it is not exactly representable.
 */
export function sumMinorUnits(amounts: readonly number[]): number | undefined {
  let sum = 0
  for (const amount of amounts) {
    if (!isMinorUnitAmount(amount)) return undefined
    // Both operands are in [0, 2^53 - 1], so the float sum is exact when the true sum is safe, and at least
    // 2^53 (not safe) when it is not: rounding is monotonic and 2^53 is representable.
    sum += amount
    if (!Number.isSafeInteger(sum)) return undefined
  }
  return sum
}

/**
 * Multiplies two minor-unit amounts (typically `quantity × unitPrice`), exactly. Like
 * {@link sumMinorUnits}, it never throws.
 *
 * @param a - A non-negative safe integer.
 * @param b - A non-negative safe integer.
 * @returns The product, or `undefined` when an input is invalid or the product passes
 * `Number.MAX_SAFE_INTEGER`.
 */
export function multiplyMinorUnits(a: number, b: number): number | undefined {
  if (!isMinorUnitAmount(a) || !isMinorUnitAmount(b)) return undefined
  // Same argument as for the sum: exact when the true product is safe, at least 2^53 when it is not.
  const product = a * b
  return Number.isSafeInteger(product) ? product : undefined
}

/** The amounts of one order line, in the order's currency's minor units. */
export interface OrderLineAmounts {
  /** How many units; a non-negative safe integer. */
  readonly quantity: number
  /** The price of one unit in minor units; a non-negative safe integer. */
  readonly unitPrice: number
}

/** The input of {@link computeOrderTotals}: every amount in minor units of one currency. */
export interface OrderTotalsInput {
  /** The order's lines, in order; issue paths use `items.<index>`. */
  readonly lines: readonly OrderLineAmounts[]
  /** Shipping, added to the subtotal. */
  readonly shippingTotal: number
  /** Tax, added to the subtotal. */
  readonly taxTotal: number
  /** Discount, subtracted; it may not take the total below 0. */
  readonly discountTotal: number
}

/** The totals of an order, every amount a safe integer in minor units. */
export interface OrderTotals {
  /** `quantity × unitPrice` of each line, in the order of the input's lines. */
  readonly lineTotals: readonly number[]
  /** The sum of `lineTotals`. */
  readonly subtotal: number
  /** `subtotal + shippingTotal + taxTotal − discountTotal`, never negative. */
  readonly total: number
}

const NOT_AN_AMOUNT = 'must be a non-negative safe integer (an amount in minor units)'

/**
 * Computes an order's line totals, subtotal and total with integer arithmetic, exactly:
 * `subtotal = Σ quantity × unitPrice`, `total = subtotal + shippingTotal + taxTotal − discountTotal`.
 *
 * @param input - The lines and the order-level amounts, already validated as non-negative safe integers
 * (re-checked here cheaply).
 * @returns The totals.
 * @throws {@link ValidationError} when an input is not a non-negative safe integer (path such as
 * `items.0.quantity` or `taxTotal`), when a line total passes `Number.MAX_SAFE_INTEGER` (path `items.<i>`),
 * when the subtotal does (path `subtotal`), when the total does (path `total`), or when the discount would
 * make the total negative (path `discountTotal`: a discount is rejected, never clamped).
 *
 * @example
 * ```ts
 * computeOrderTotals({
 *   lines: [{ quantity: 2, unitPrice: 1999 }],
 *   shippingTotal: 500,
 *   taxTotal: 320,
 *   discountTotal: 0,
 * }) // { lineTotals: [3998], subtotal: 3998, total: 4818 }
 * ```
 */
export function computeOrderTotals(input: OrderTotalsInput): OrderTotals {
  const { lines, shippingTotal, taxTotal, discountTotal } = input
  const issues: ValidationIssue[] = []
  const lineTotals: number[] = []

  for (const [index, line] of lines.entries()) {
    const quantityValid = isMinorUnitAmount(line.quantity)
    const unitPriceValid = isMinorUnitAmount(line.unitPrice)
    if (!quantityValid) issues.push({ path: `items.${index}.quantity`, message: NOT_AN_AMOUNT })
    if (!unitPriceValid) issues.push({ path: `items.${index}.unitPrice`, message: NOT_AN_AMOUNT })
    if (!quantityValid || !unitPriceValid) continue
    const lineTotal = multiplyMinorUnits(line.quantity, line.unitPrice)
    if (lineTotal === undefined) {
      issues.push({
        path: `items.${index}`,
        message: 'the line total (quantity × unitPrice) exceeds Number.MAX_SAFE_INTEGER',
      })
    } else {
      lineTotals.push(lineTotal)
    }
  }
  for (const [path, value] of [
    ['shippingTotal', shippingTotal],
    ['taxTotal', taxTotal],
    ['discountTotal', discountTotal],
  ] as const) {
    if (!isMinorUnitAmount(value)) issues.push({ path, message: NOT_AN_AMOUNT })
  }
  if (issues.length > 0) throw new ValidationError(issues)

  const subtotal = sumMinorUnits(lineTotals)
  if (subtotal === undefined) {
    throw new ValidationError([
      { path: 'subtotal', message: 'the subtotal of the lines exceeds Number.MAX_SAFE_INTEGER' },
    ])
  }

  // Subtract first so that a large discount can bring an otherwise too large sum back into range, and add
  // in steps: a step that goes negative is exact, one that stays non-negative and is not a safe integer has
  // passed MAX_SAFE_INTEGER, and adding a non-negative amount afterwards cannot bring it back.
  let total = subtotal - discountTotal
  for (const amount of [shippingTotal, taxTotal]) {
    total += amount
    if (!Number.isSafeInteger(total)) {
      throw new ValidationError([{ path: 'total', message: 'the total exceeds Number.MAX_SAFE_INTEGER' }])
    }
  }
  if (total < 0) {
    throw new ValidationError([
      { path: 'discountTotal', message: 'the discount would make the total negative' },
    ])
  }
  return { lineTotals, subtotal, total }
}
