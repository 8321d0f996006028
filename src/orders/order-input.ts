import type { z } from 'zod'
import { ValidationError, type ValidationIssue } from '../errors.js'
import { computeOrderTotals, type OrderTotals, sumMinorUnits } from '../money.js'
import { type LineShares, lineShares } from '../payments/allocation.js'
import { parseInput, parseSchema, readInput } from '../validation.js'
import { BUYER_ISSUE, createManySchema, orderInputSchema } from './order-schema.js'

/**
 * An order input as its schema outputs it, with the order's tax and discount settled: given, the sum of
 * the lines' own, or 0.
 */
export type ParsedOrderInput = Omit<z.output<typeof orderInputSchema>, 'taxTotal' | 'discountTotal'> & {
  taxTotal: number
  discountTotal: number
}

/** An order input that passed every check, with its totals and each line's tax and discount share. */
export interface ValidOrder {
  readonly input: ParsedOrderInput
  readonly totals: OrderTotals
  /** One per line, in order. */
  readonly shares: readonly LineShares[]
}

/**
 * Everything about a create input that can be checked without the database, before a transaction
 * opens: the input's one snapshot and card data first, then the schema, the currency against the ISO 4217
 * table, and the totals.
 */
export function parseOrderInput(input: unknown): ValidOrder {
  return validateOrderInput(readInput(input))
}

/**
 * The same checks for a batch: card data over the whole list first, then its size, then every input as
 * {@link parseOrderInput} checks one. Throws one `ValidationError` listing the issues of every invalid
 * input, each path prefixed by the input's index (`3.items.0.quantity`).
 */
export function parseOrderInputs(inputs: unknown): ValidOrder[] {
  const list = parseInput(createManySchema, inputs)
  const valid: ValidOrder[] = []
  const issues: ValidationIssue[] = []
  for (const [index, input] of list.entries()) {
    try {
      valid.push(validateOrderInput(input))
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error
      for (const issue of error.issues) {
        issues.push({
          path: issue.path === '' ? `${index}` : `${index}.${issue.path}`,
          message: issue.message,
        })
      }
    }
  }
  if (issues.length > 0) throw new ValidationError(issues)
  return valid
}

/** The checks after the card data search: schema (currency included), buyer, per-line amounts, totals. */
function validateOrderInput(input: unknown): ValidOrder {
  const issues: ValidationIssue[] = []
  let parsed: z.output<typeof orderInputSchema> | undefined
  try {
    parsed = parseSchema(orderInputSchema, input)
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    issues.push(...error.issues)
  }
  if (!hasBuyer(input)) issues.push(BUYER_ISSUE)
  if (parsed === undefined || issues.length > 0) throw new ValidationError(issues)
  const lineTaxes = perLine(parsed.items.map((i) => i.taxTotal))
  const lineDiscounts = perLine(parsed.items.map((i) => i.discountTotal))
  const taxTotal = orderAmount('taxTotal', parsed.taxTotal, lineTaxes, issues)
  const discountTotal = orderAmount('discountTotal', parsed.discountTotal, lineDiscounts, issues)
  if (issues.length > 0) throw new ValidationError(issues)
  const totals = computeOrderTotals({
    lines: parsed.items,
    shippingTotal: parsed.shippingTotal,
    taxTotal,
    discountTotal,
  })
  const lines = parsed.items.map((item, i) => ({ quantity: item.quantity, total: totals.lineTotals[i] ?? 0 }))
  const shares = lineShares(lines, lineTaxes ?? taxTotal, lineDiscounts ?? discountTotal)
  // A line's discount beyond its total and tax would make refunding it give back less than nothing.
  shares.forEach((share, i) => {
    if (share.discountTotal > (lines[i]?.total ?? 0) + share.taxTotal) {
      issues.push({
        path: `items.${i}.discountTotal`,
        message: "must not exceed the line's total plus its tax",
      })
    }
  })
  if (issues.length > 0) throw new ValidationError(issues)
  return { input: { ...parsed, taxTotal, discountTotal }, totals, shares }
}

/** The lines' own amounts when any line gives one (a line without counts 0), else `undefined`. */
function perLine(values: readonly (number | undefined)[]): number[] | undefined {
  return values.some((v) => v !== undefined) ? values.map((v) => v ?? 0) : undefined
}

/** The order-level amount: as given, else the lines' sum, else 0; given and summed, they must agree. */
function orderAmount(
  path: 'taxTotal' | 'discountTotal',
  given: number | undefined,
  lines: readonly number[] | undefined,
  issues: ValidationIssue[],
): number {
  if (lines === undefined) return given ?? 0
  const sum = sumMinorUnits(lines)
  if (sum === undefined) {
    issues.push({ path, message: "the sum of the lines' amounts exceeds Number.MAX_SAFE_INTEGER" })
    return 0
  }
  if (given !== undefined && given !== sum) {
    issues.push({ path, message: "must equal the sum of the lines' amounts, or be left out" })
  }
  return sum
}

/** Whether the raw input names a customer or gives an email (each checked on its own by the schema). */
function hasBuyer(input: unknown): boolean {
  if (typeof input !== 'object' || input === null) return true
  const { customerId, email } = input as { customerId?: unknown; email?: unknown }
  return customerId != null || email != null
}
