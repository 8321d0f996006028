/*
 * Exact allocation of an order's tax and discount to its lines, and of a line's refundable amount to
 * its units, in integers. No float ever touches an amount: products that could pass 2^53 are taken in
 * BigInt, and every split hands out exactly the amount it was given.
 *
 * Per line i of an order (line total t_i = quantity × unitPrice, subtotal S = Σ t_i, tax T, discount D):
 *
 * - tax share x_i: T split over the line totals by largest remainder (over the quantities when S = 0);
 * - discount share d_i: min(D, S) split over the line totals, then any part of D beyond S (a discount
 *   that also covers tax) split over the tax shares, up to T. What is left beyond S + T discounts
 *   shipping, which no line carries. Largest remainder never gives a line more than its weight when the
 *   amount is at most the sum of the weights, so t_i − d_i + x_i ≥ 0;
 * - refundable total R_i = t_i − d_i + x_i, and Σ R_i = total − shipping whenever the discount does not
 *   reach into shipping (always 0 or more);
 * - after r of a line's q units are refunded, the refunds so far add up to ⌊R_i × r / q⌋. Refunding k more
 *   units gives ⌊R_i(r + k)/q⌋ − ⌊R_i r/q⌋: a whole number, never negative, and once every unit is
 *   refunded, in any number of refunds, exactly R_i.
 */

/**
 * Splits `amount` over `weights` in proportion, in integers, by largest remainder (Hamilton's method):
 * each part is ⌊amount × w / W⌋, and the units left over go one each to the parts with the largest
 * remainders, the earlier part first on a tie. The parts add up to `amount` exactly. When every weight is
 * 0, the weights count as equal.
 *
 * @param amount - A non-negative safe integer.
 * @param weights - Non-negative safe integers; at least one when `amount` is not 0.
 * @returns One part per weight; each part is at most its weight when `amount` ≤ Σ weights.
 * @example
 * ```ts
 * allocate(100, [1, 1, 1]) // [34, 33, 33]
 * ```
 */
export function allocate(amount: number, weights: readonly number[]): number[] {
  if (weights.length === 0) {
    if (amount !== 0) throw new RangeError('cannot allocate an amount over no weights')
    return []
  }
  let total = 0n
  for (const w of weights) total += BigInt(w)
  const effective = total === 0n ? weights.map(() => 1n) : weights.map((w) => BigInt(w))
  const sum = total === 0n ? BigInt(weights.length) : total
  const big = BigInt(amount)
  const parts = effective.map((w) => (big * w) / sum)
  const remainders = effective.map((w, index) => ({ index, remainder: (big * w) % sum }))
  let left = big - parts.reduce((a, b) => a + b, 0n)
  remainders.sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  )
  for (const { index } of remainders) {
    if (left === 0n) break
    parts[index] = (parts[index] as bigint) + 1n
    left -= 1n
  }
  return parts.map(Number)
}

/** One line's amounts, as allocation needs them. */
export interface AllocationLine {
  /** quantity × unitPrice. */
  readonly total: number
  /** Units bought. */
  readonly quantity: number
}

/** A line's shares of the order's tax and discount. */
export interface LineShares {
  readonly taxTotal: number
  readonly discountTotal: number
}

/**
 * The tax and discount shares of each line: the shop's own per-line amounts where it gave them, else
 * allocated from the order-level amounts (see the module comment for the rules).
 *
 * @param lines - The order's lines, in order.
 * @param tax - The order's tax, or each line's tax as the shop's tax engine computed it.
 * @param discount - The order's discount, or each line's discount.
 * @returns One {@link LineShares} per line. Allocated tax shares add up to the order's tax; allocated
 * discount shares to min(discount, subtotal + tax).
 */
export function lineShares(
  lines: readonly AllocationLine[],
  tax: number | readonly number[],
  discount: number | readonly number[],
): LineShares[] {
  const totals = lines.map((line) => line.total)
  const subtotal = totals.reduce((a, b) => a + b, 0)
  const byValue = subtotal === 0 ? lines.map((line) => line.quantity) : totals
  const taxes = typeof tax === 'number' ? allocate(tax, byValue) : [...tax]
  let discounts: number[]
  if (typeof discount === 'number') {
    const taxTotal = taxes.reduce((a, b) => a + b, 0)
    const goods = allocate(Math.min(discount, subtotal), totals)
    const onTax = allocate(Math.min(discount - Math.min(discount, subtotal), taxTotal), taxes)
    discounts = goods.map((g, i) => g + (onTax[i] as number))
  } else {
    discounts = [...discount]
  }
  return lines.map((_, i) => ({ taxTotal: taxes[i] as number, discountTotal: discounts[i] as number }))
}

/**
 * What refunding every unit of a line gives back: its total, less its discount share, plus its tax share.
 *
 * @param line - The line's total and shares.
 * @returns A non-negative integer for any line the library accepted.
 */
export function refundableTotal(line: { total: number; taxTotal: number; discountTotal: number }): number {
  return line.total - line.discountTotal + line.taxTotal
}

/**
 * The amount for refunding `units` more units of a line whose refundable total is `refundable`, of which
 * `alreadyRefunded` units of `quantity` were refunded before: the difference of the cumulative shares
 * ⌊refundable × units / quantity⌋, so that every unit refunded, however split, adds up to `refundable`.
 *
 * @param refundable - The line's {@link refundableTotal}.
 * @param quantity - Units bought.
 * @param alreadyRefunded - Units refunded by earlier refunds.
 * @param units - Units refunded now; `alreadyRefunded + units` ≤ `quantity`.
 * @returns A non-negative integer.
 * @example
 * ```ts
 * // A line of 3 units refundable for 1000: 333, then 333, then 334.
 * unitsRefundAmount(1000, 3, 0, 1) // 333
 * unitsRefundAmount(1000, 3, 2, 1) // 334
 * ```
 */
export function unitsRefundAmount(
  refundable: number,
  quantity: number,
  alreadyRefunded: number,
  units: number,
): number {
  const cumulative = (n: number) => (BigInt(refundable) * BigInt(n)) / BigInt(quantity)
  return Number(cumulative(alreadyRefunded + units) - cumulative(alreadyRefunded))
}
