import type { z } from 'zod'
import { assertNoCardData } from '../card-data.js'
import { ValidationError, type ValidationIssue } from '../errors.js'
import { computeOrderTotals, type OrderTotals } from '../money.js'
import { parseInput, parseSchema } from '../validation.js'
import { BUYER_ISSUE, createManySchema, orderInputSchema } from './order-schema.js'

/** An order input as its schema outputs it: trimmed, normalised, defaults filled in. */
export type ParsedOrderInput = z.output<typeof orderInputSchema>

/** An order input that passed every check, with its totals. */
export interface ValidOrder {
  readonly input: ParsedOrderInput
  readonly totals: OrderTotals
}

/**
 * Everything about a create input that can be checked without the database, before a transaction
 * opens: card data first, then the schema, the currency against the ISO 4217 table, and the totals.
 */
export function parseOrderInput(input: unknown): ValidOrder {
  assertNoCardData(input)
  return validateOrderInput(input)
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
  const issues: ValidationIssue[] = []
  let parsed: ParsedOrderInput | undefined
  try {
    parsed = parseSchema(orderInputSchema, input)
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error
    issues.push(...error.issues)
  }
  if (!hasBuyer(input)) issues.push(BUYER_ISSUE)
  if (parsed === undefined || issues.length > 0) throw new ValidationError(issues)
  const totals = computeOrderTotals({
    lines: parsed.items,
    shippingTotal: parsed.shippingTotal,
    taxTotal: parsed.taxTotal,
    discountTotal: parsed.discountTotal,
  })
  return { input: parsed, totals }
}

/** Whether the raw input names a customer or gives an email (each checked on its own by the schema). */
function hasBuyer(input: unknown): boolean {
  if (typeof input !== 'object' || input === null) return true
  const { customerId, email } = input as { customerId?: unknown; email?: unknown }
  return customerId != null || email != null
}
