import type { z } from 'zod'
import { ValidationError, type ValidationIssue } from '../errors.js'
import { computeOrderTotals, isCurrencyCode, type OrderTotals } from '../money.js'
import { parseInput, parseSchema, readInput } from '../validation.js'
import { createManySchema, orderInputSchema } from './order-schema.js'

/** An order input as its schema outputs it: trimmed, normalised, defaults filled in. */
export type ParsedOrderInput = z.output<typeof orderInputSchema>

/** An order input that passed every check, with its totals. */
export interface ValidOrder {
  readonly input: ParsedOrderInput
  readonly totals: OrderTotals
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

/** The checks after the card data search: schema, currency, totals. */
function validateOrderInput(input: unknown): ValidOrder {
  const parsed = parseSchema(orderInputSchema, input)
  if (!isCurrencyCode(parsed.currency)) {
    throw new ValidationError([
      { path: 'currency', message: 'must be an uppercase ISO 4217 currency code, such as USD, EUR or JPY' },
    ])
  }
  const totals = computeOrderTotals({
    lines: parsed.items,
    shippingTotal: parsed.shippingTotal,
    taxTotal: parsed.taxTotal,
    discountTotal: parsed.discountTotal,
  })
  return { input: parsed, totals }
}
