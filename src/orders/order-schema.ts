import { z } from 'zod'
import { addressSnapshotSchema } from '../customers/address.js'
import { flatStringMap, metadataSchema } from '../metadata.js'
import { isCurrencyCode } from '../money.js'
import { cursorSchema, pageLimitSchema } from '../page.js'
import { ORDER_PAYMENT_STATUSES, type OrderPaymentStatus } from '../payments/payment-status.js'
import { storableDateSchema } from '../sql/date-range.js'
import { emailSchema, idSchema, keyText, optionalText, storableString, text } from '../text.js'
import type {
  CreateOrderOptions,
  ListOrdersOptions,
  OrderInput,
  OrderItemInput,
  PaymentSummary,
  TransitionOptions,
} from './order.js'
import { ORDER_STATUSES, type OrderStatus } from './order-status.js'

/*
 * The input schemas of the orders repository: what `create`, `createMany`, `transition`, `list` and
 * `findByNumber` accept. The types they check are in order.ts, with the repository's interface.
 */

/** Limits on order input. */
export const ORDER_LIMITS = {
  lines: 1000,
  quantity: 10_000,
  sku: 100,
  name: 200,
  note: 2000,
  idempotencyKey: 255,
  attributes: { keys: 50, keyLength: 40, valueLength: 200 },
  /** Orders per {@link OrderRepository.createMany} call. */
  batchOrders: 1000,
  /** Lines in all the orders of one {@link OrderRepository.createMany} call. */
  batchLines: 10_000,
} as const

const amount = (what: string) =>
  z
    .number({ message: `${what} must be a number of minor units` })
    .int(`${what} must be an integer number of minor units`)
    .min(0, `${what} must not be negative`)
    .max(Number.MAX_SAFE_INTEGER, `${what} must be at most Number.MAX_SAFE_INTEGER`)
    // -0 passes every check above; store and return it as 0.
    .transform((n) => n + 0)

/** The schema behind {@link OrderItemInput}. */
export const orderItemSchema = z.strictObject({
  sku: text(ORDER_LIMITS.sku),
  name: text(ORDER_LIMITS.name),
  attributes: flatStringMap(ORDER_LIMITS.attributes).nullish(),
  quantity: z
    .number()
    .int('must be an integer')
    .min(1, `must be 1 to ${ORDER_LIMITS.quantity}`)
    .max(ORDER_LIMITS.quantity, `must be 1 to ${ORDER_LIMITS.quantity}`),
  unitPrice: amount('unitPrice'),
  taxTotal: amount('taxTotal').optional(),
  discountTotal: amount('discountTotal').optional(),
  productId: optionalText(100),
  variantId: optionalText(100),
  metadata: metadataSchema.nullish(),
})

/**
 * An ISO 4217 code from the bundled table, in either case (`usd` is `USD`; payment providers such as
 * Stripe spell codes in lower case), stored upper-case: one currency, one spelling.
 */
export const currencySchema = z
  .string({ message: 'must be an ISO 4217 currency code, such as USD, EUR or JPY' })
  .transform((code) => code.toUpperCase())
  .refine(isCurrencyCode, 'must be an ISO 4217 currency code, such as USD, EUR or JPY')

/** The schema behind {@link PaymentSummary}. */
export const paymentSummarySchema = z.strictObject({
  provider: text(64),
  reference: text(255),
  brand: optionalText(32),
  last4: z
    .string()
    .regex(/^[0-9]{4}$/, 'must be exactly four digits')
    .nullish(),
})

/**
 * The schema behind {@link OrderInput}. That an order needs a customer or an email is checked beside it
 * ({@link BUYER_ISSUE}), so that it is reported with the other problems even when a field fails in a way
 * that stops zod's object-level refinements.
 */
export const orderInputSchema = z.strictObject({
  customerId: idSchema.nullish(),
  email: emailSchema.nullish(),
  currency: currencySchema,
  items: z
    .array(orderItemSchema, { message: 'must be a list of order lines' })
    .min(1, 'an order needs at least one line')
    .max(ORDER_LIMITS.lines, `at most ${ORDER_LIMITS.lines} lines`),
  shippingAddress: addressSnapshotSchema.nullish(),
  billingAddress: addressSnapshotSchema.nullish(),
  shippingTotal: amount('shippingTotal').default(0),
  // Absent means: the sum of the lines' own amounts when they give them, else 0 (see order-input.ts).
  taxTotal: amount('taxTotal').optional(),
  discountTotal: amount('discountTotal').optional(),
  payment: paymentSummarySchema.nullish(),
  note: optionalText(ORDER_LIMITS.note),
  metadata: metadataSchema.nullish(),
})

/** The issue of an order with neither `customerId` nor `email`. */
export const BUYER_ISSUE = {
  path: 'email',
  message: 'a guest checkout needs an email; otherwise pass customerId',
} as const

/** The schema behind {@link CreateOrderOptions}. */
export const createOrderOptionsSchema = z.strictObject({
  idempotencyKey: keyText(ORDER_LIMITS.idempotencyKey).optional(),
})

/**
 * The schema behind the argument of {@link OrderRepository.createMany}: the size of the batch. Each element
 * is then checked on its own against {@link orderInputSchema}, as `create` checks its input.
 */
export const createManySchema = z
  .array(z.unknown(), { message: 'must be a list of orders' })
  .min(1, 'must hold at least one order')
  .max(ORDER_LIMITS.batchOrders, `must hold at most ${ORDER_LIMITS.batchOrders} orders`)
  .refine((inputs) => lineCount(inputs) <= ORDER_LIMITS.batchLines, {
    message: `must hold at most ${ORDER_LIMITS.batchLines.toLocaleString('en')} order lines in all`,
  })

/** The lines of every order of a batch, counting only the `items` that are arrays. */
function lineCount(inputs: readonly unknown[]): number {
  let lines = 0
  for (const input of inputs) {
    const items =
      typeof input === 'object' && input !== null ? (input as { items?: unknown }).items : undefined
    if (Array.isArray(items)) lines += items.length
  }
  return lines
}

const statusSchema = z.enum(ORDER_STATUSES as [OrderStatus, ...OrderStatus[]], {
  message: `must be one of ${ORDER_STATUSES.join(', ')}`,
})

const paymentStatusSchema = z.enum(ORDER_PAYMENT_STATUSES as [OrderPaymentStatus, ...OrderPaymentStatus[]], {
  message: `must be one of ${ORDER_PAYMENT_STATUSES.join(', ')}`,
})

/** The schema behind {@link TransitionOptions}. */
export const transitionOptionsSchema = z.strictObject({
  expectedVersion: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
  note: optionalText(ORDER_LIMITS.note),
  actor: optionalText(200),
})

/** The schema behind an order number argument. */
export const orderNumberSchema = z
  .number({ message: 'must be an order number' })
  .int('must be an integer')
  .min(1, 'must be at least 1')
  .max(Number.MAX_SAFE_INTEGER, 'must be a safe integer')

/** The schema behind a transition's target status. */
export const orderStatusSchema = statusSchema

/** The schema behind {@link ListOrdersOptions}. */
export const listOrdersSchema = z.strictObject({
  customerId: idSchema.optional(),
  email: storableString(320).optional(),
  status: z
    .union([statusSchema, z.array(statusSchema).min(1).max(ORDER_STATUSES.length)], {
      message: `must be one of ${ORDER_STATUSES.join(', ')}, or a list of them`,
    })
    .optional(),
  paymentStatus: z
    .union([paymentStatusSchema, z.array(paymentStatusSchema).min(1).max(ORDER_PAYMENT_STATUSES.length)], {
      message: `must be one of ${ORDER_PAYMENT_STATUSES.join(', ')}, or a list of them`,
    })
    .optional(),
  createdAfter: storableDateSchema.optional(),
  createdBefore: storableDateSchema.optional(),
  limit: pageLimitSchema,
  cursor: cursorSchema,
})
