import { z } from 'zod'
import { ORDER_LIMITS } from '../orders/order-schema.js'
import { idSchema, keyText, optionalText, text } from '../text.js'
import type {
  AuthorizeInput,
  CaptureInput,
  PaymentOperationOptions,
  RefundInput,
  RefundItemInput,
  VoidInput,
} from './payment.js'

/*
 * The input schemas of the payments repository. Amounts are positive safe integers in minor units.
 */

/** Limits on payment input. */
export const PAYMENT_LIMITS = {
  provider: 64,
  reference: 255,
  note: 2000,
  actor: 200,
  /** Lines one refund may name: an order has at most this many. */
  refundLines: ORDER_LIMITS.lines,
} as const

const positiveAmount = z
  .number({ message: 'must be a number of minor units' })
  .int('must be an integer number of minor units')
  .min(1, 'must be at least 1')
  .max(Number.MAX_SAFE_INTEGER, 'must be at most Number.MAX_SAFE_INTEGER')

const ledgerFields = {
  reference: optionalText(PAYMENT_LIMITS.reference),
  actor: optionalText(PAYMENT_LIMITS.actor),
}

/** The schema behind {@link AuthorizeInput}. */
export const authorizeInputSchema = z.strictObject({
  provider: text(PAYMENT_LIMITS.provider),
  reference: text(PAYMENT_LIMITS.reference),
  amount: positiveAmount,
  paymentMethodId: idSchema.nullish(),
  captureBefore: z.date({ message: 'must be a valid Date' }).nullish(),
  capture: z.boolean({ message: 'must be true or false' }).optional(),
  note: optionalText(PAYMENT_LIMITS.note),
  actor: optionalText(PAYMENT_LIMITS.actor),
})

/** The schema behind {@link CaptureInput}. */
export const captureInputSchema = z.strictObject({
  amount: positiveAmount.optional(),
  note: optionalText(PAYMENT_LIMITS.note),
  ...ledgerFields,
})

/** The schema behind {@link RefundItemInput}. */
export const refundItemSchema = z.strictObject({
  lineId: idSchema,
  quantity: z
    .number({ message: 'must be a number of units' })
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(ORDER_LIMITS.quantity, `must be at most ${ORDER_LIMITS.quantity}`),
})

/** The schema behind {@link RefundInput}. */
export const refundInputSchema = z
  .strictObject({
    amount: positiveAmount.optional(),
    items: z
      .array(refundItemSchema, { message: 'must be a list of { lineId, quantity }' })
      .min(1, 'must name at least one line')
      .max(PAYMENT_LIMITS.refundLines, `must name at most ${PAYMENT_LIMITS.refundLines} lines`)
      .refine((items) => new Set(items.map((i) => i.lineId)).size === items.length, {
        message: 'must name each line once',
      })
      .optional(),
    reason: optionalText(PAYMENT_LIMITS.note),
    ...ledgerFields,
  })
  .refine((input) => (input.amount === undefined) !== (input.items === undefined), {
    message: 'give either amount or items, not both',
  })

/** The schema behind {@link VoidInput}. */
export const voidInputSchema = z.strictObject({
  note: optionalText(PAYMENT_LIMITS.note),
  ...ledgerFields,
})

/** The schema behind {@link PaymentOperationOptions}. */
export const paymentOptionsSchema = z.strictObject({
  // The same key rule as orders.create: exact text, no edge whitespace (MariaDB's PAD SPACE).
  idempotencyKey: keyText(ORDER_LIMITS.idempotencyKey).optional(),
})

/** Parsed inputs. */
export type ParsedAuthorizeInput = z.output<typeof authorizeInputSchema>
export type ParsedCaptureInput = z.output<typeof captureInputSchema>
export type ParsedRefundInput = z.output<typeof refundInputSchema>
export type ParsedVoidInput = z.output<typeof voidInputSchema>
