import { z } from 'zod'
import { metadataSchema } from '../metadata.js'
import { idSchema, keyText, optionalText } from '../text.js'
import type { CreateFulfillmentOptions, FulfillmentInput, TrackingInput } from './fulfillment.js'

/*
 * The input schemas of the fulfillments repository. The types they check are in fulfillment.ts.
 */

/** Limits on fulfillment input. */
export const FULFILLMENT_LIMITS = {
  lines: 1000,
  quantity: 10_000,
  carrier: 64,
  trackingNumber: 128,
  trackingUrl: 2048,
  idempotencyKey: 255,
} as const

/** An absolute http or https URL; parsed, never fetched. */
function isWebUrl(value: string): boolean {
  if (!URL.canParse(value)) return false
  const { protocol } = new URL(value)
  return protocol === 'http:' || protocol === 'https:'
}

const trackingUrlSchema = optionalText(FULFILLMENT_LIMITS.trackingUrl).refine(
  (value) => value == null || isWebUrl(value),
  'must be an http or https URL',
)

const trackingFields = {
  carrier: optionalText(FULFILLMENT_LIMITS.carrier),
  trackingNumber: optionalText(FULFILLMENT_LIMITS.trackingNumber),
  trackingUrl: trackingUrlSchema,
}

const itemSchema = z.strictObject({
  lineId: idSchema,
  quantity: z
    .number({ message: 'must be a number of units' })
    .int('must be an integer')
    .min(1, `must be 1 to ${FULFILLMENT_LIMITS.quantity}`)
    .max(FULFILLMENT_LIMITS.quantity, `must be 1 to ${FULFILLMENT_LIMITS.quantity}`),
})

/** The schema behind {@link FulfillmentInput}. */
export const fulfillmentInputSchema = z.strictObject({
  items: z
    .array(itemSchema, { message: 'must be a list of { lineId, quantity }' })
    .min(1, 'must name at least one line; leave items out to take every unit left')
    .max(FULFILLMENT_LIMITS.lines, `at most ${FULFILLMENT_LIMITS.lines} lines`)
    .superRefine((items, ctx) => {
      // Linear: one pass with a set.
      const seen = new Set<string>()
      items.forEach((item, index) => {
        if (seen.has(item.lineId)) {
          ctx.addIssue({ code: 'custom', path: [index, 'lineId'], message: 'names a line already listed' })
        }
        seen.add(item.lineId)
      })
    })
    .optional(),
  ...trackingFields,
  metadata: metadataSchema.nullish(),
})

/** The schema behind {@link TrackingInput}, as `ship` takes it. */
export const trackingInputSchema = z.strictObject(trackingFields)

/** The schema behind {@link CreateFulfillmentOptions}. */
export const createFulfillmentOptionsSchema = z.strictObject({
  // The same key rule as orders.create: exact text, no edge whitespace (MariaDB's PAD SPACE).
  idempotencyKey: keyText(FULFILLMENT_LIMITS.idempotencyKey).optional(),
})

/** A parsed {@link FulfillmentInput}. */
export type ParsedFulfillmentInput = z.output<typeof fulfillmentInputSchema>

/** A parsed {@link TrackingInput}. */
export type ParsedTrackingInput = z.output<typeof trackingInputSchema>
