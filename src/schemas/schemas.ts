import { type CustomerAddressInput, customerAddressSchema } from '../customers/address.js'
import {
  type CustomerInput,
  type CustomerPatch,
  customerInputSchema,
  customerPatchSchema,
} from '../customers/customer.js'
import { type PaymentMethodInput, paymentMethodSchema } from '../customers/payment-method.js'
import { CardDataRejectedError, ValidationError, type ValidationIssue } from '../errors.js'
import type { OrderInput } from '../orders/order.js'
import { parseOrderInput } from '../orders/order-input.js'
import { parseInput, readInput } from '../validation.js'
import type { SchemaIssue, StandardSchemaResult, StandardSchemaV1 } from './standard-schema.js'

/*
 * The store's own input checks as Standard Schema validators. Each one runs exactly the gate the store
 * method runs (card data first, then the same zod schema and checks), so a body that passes here passes
 * there, and the issues are the ones the store would throw.
 */

/**
 * Wraps one of the store's parse functions as a Standard Schema: its `ValidationError` or
 * `CardDataRejectedError` becomes the issue list, any other error is a bug and is thrown. A new input
 * (a payment, a fulfillment) joins {@link schemas} with one line: `storeSchema<Input>((v) => parse(v))`.
 */
export function storeSchema<Input>(parse: (value: unknown) => unknown): StandardSchemaV1<Input, Input> {
  return {
    '~standard': {
      version: 1,
      vendor: 'checkout-store',
      validate(value: unknown): StandardSchemaResult<Input> {
        try {
          return { value: parse(value) as Input }
        } catch (error) {
          if (error instanceof CardDataRejectedError) return { issues: toSchemaIssues(error) }
          if (error instanceof ValidationError) return { issues: toSchemaIssues(error) }
          throw error
        }
      },
    },
  }
}

function toSchemaIssues(error: ValidationError | CardDataRejectedError): SchemaIssue[] {
  return error.issues.map((issue) => toSchemaIssue(issue, error.code))
}

function toSchemaIssue(issue: ValidationIssue, code: SchemaIssue['code']): SchemaIssue {
  return { message: issue.message, path: segments(issue.path), dottedPath: issue.path, code }
}

/** `items.0.quantity` as `['items', 0, 'quantity']`: digits-only segments are array indexes. */
function segments(dotted: string): Array<string | number> {
  if (dotted === '') return []
  return dotted.split('.').map((part) => (/^(?:0|[1-9][0-9]{0,8})$/.test(part) ? Number(part) : part))
}

/**
 * The store's inputs as Standard Schema v1 validators, with the store's own rules: each runs the
 * card-data check first, then the schema the store method uses, and reports every problem at once, with
 * paths from the validated value's root. `validate` returns `{ value }`, the parsed input (trimmed,
 * codes upper-cased, defaults filled) ready to pass to the store, or `{ issues }`.
 *
 * - `customerInput`: `customers.create` and `customers.findOrCreate`
 * - `customerPatch`: `customers.update`
 * - `addressInput`: `customers.addAddress`, and an order's `shippingAddress` / `billingAddress` (whose
 *   default flags the order does not take)
 * - `paymentMethodInput`: `customers.addPaymentMethod`
 * - `orderInput`: `orders.create`
 *
 * @example
 * ```ts
 * const result = schemas.customerInput['~standard'].validate(req.body)
 * if (result.issues) return res.status(400).json({ issues: result.issues })
 * const { customer } = await store.customers.findOrCreate(result.value)
 * ```
 */
export const schemas: CheckoutStoreSchemas = {
  customerInput: storeSchema<CustomerInput>((value) => parseInput(customerInputSchema, value)),
  customerPatch: storeSchema<CustomerPatch>((value) => parseInput(customerPatchSchema, value)),
  addressInput: storeSchema<CustomerAddressInput>((value) => parseInput(customerAddressSchema, value)),
  paymentMethodInput: storeSchema<PaymentMethodInput>((value) => parseInput(paymentMethodSchema, value)),
  orderInput: storeSchema<OrderInput>((value) => parseOrderInput(value).input),
}

/**
 * The validators of {@link schemas}, one per input of the store.
 *
 * @example
 * ```ts
 * const validate: CheckoutStoreSchemas['orderInput']['~standard']['validate'] = schemas.orderInput['~standard'].validate
 * ```
 */
export interface CheckoutStoreSchemas {
  /** The input of `customers.create` and `customers.findOrCreate`. */
  readonly customerInput: StandardSchemaV1<CustomerInput>
  /** The patch of `customers.update`. */
  readonly customerPatch: StandardSchemaV1<CustomerPatch>
  /** The input of `customers.addAddress`; an order's addresses are the same without the default flags. */
  readonly addressInput: StandardSchemaV1<CustomerAddressInput>
  /** The input of `customers.addPaymentMethod`. */
  readonly paymentMethodInput: StandardSchemaV1<PaymentMethodInput>
  /** The input of `orders.create`. */
  readonly orderInput: StandardSchemaV1<OrderInput>
}

/**
 * One Standard Schema for a request body made of several store inputs, so a body is validated once and
 * every problem of every part comes back at once, with paths from the body's root (`shippingAddress.city`).
 * The whole body, keys outside `shape` included, is searched for card data first; when some is found,
 * that is the only issue reported, as the store would. Keys outside `shape` are left to the host and not
 * part of the parsed value.
 *
 * @param shape - For each key of the body, the schema of its value (from {@link schemas}).
 * @example
 * ```ts
 * const checkoutBody = combineSchemas({
 *   customer: schemas.customerInput,
 *   shippingAddress: schemas.addressInput,
 *   paymentMethod: schemas.paymentMethodInput,
 * })
 * const result = checkoutBody['~standard'].validate(req.body)
 * if (result.issues) return res.status(400).json({ issues: result.issues })
 * result.value.customer.email // typed, parsed
 * ```
 */
export function combineSchemas<S extends Record<string, StandardSchemaV1<unknown, unknown>>>(
  shape: S,
): StandardSchemaV1<{ [K in keyof S]: S[K] extends StandardSchemaV1<unknown, infer O> ? O : never }> {
  type Body = { [K in keyof S]: S[K] extends StandardSchemaV1<unknown, infer O> ? O : never }
  return storeSchema<Body>((input) => {
    // One snapshot for the card-data search and every member's validation.
    const value = readInput(input)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ValidationError([{ path: '', message: 'must be an object' }])
    }
    const parsed: Record<string, unknown> = {}
    const issues: ValidationIssue[] = []
    for (const [key, schema] of Object.entries(shape)) {
      const member = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined
      const result = schema['~standard'].validate(member) as StandardSchemaResult<unknown>
      if (result.issues) {
        for (const issue of result.issues) {
          const message = member === undefined && issue.dottedPath === '' ? 'is required' : issue.message
          issues.push({ path: issue.dottedPath ? `${key}.${issue.dottedPath}` : key, message })
        }
      } else {
        parsed[key] = result.value
      }
    }
    if (issues.length > 0) throw new ValidationError(issues)
    return parsed
  })
}
