import { z } from 'zod'

/**
 * Free-form data a shop attaches to a record: a flat object of string values, at most 50 keys, keys
 * up to 40 characters, values up to 500 (Stripe's limits). Never put card data here: it is refused.
 *
 * @example
 * ```ts
 * await store.customers.update(ada.id, { metadata: { crmId: 'c-42', source: 'newsletter' } })
 * ```
 */
export type Metadata = Record<string, string>

interface FlatMapLimits {
  readonly keys: number
  readonly keyLength: number
  readonly valueLength: number
}

/** Limits on {@link Metadata}. */
export const METADATA_LIMITS: FlatMapLimits = { keys: 50, keyLength: 40, valueLength: 500 }

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * A flat string map: the schema behind `metadata` and order line `attributes`. Issues name the key.
 * The output is rebuilt with `Object.fromEntries`, so a key such as `__proto__` stays an ordinary key.
 */
export function flatStringMap(limits: FlatMapLimits) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (!isPlainObject(value)) {
        ctx.addIssue({ code: 'custom', message: 'must be a flat object of string values' })
        return
      }
      const entries = Object.entries(value)
      if (entries.length > limits.keys) {
        ctx.addIssue({ code: 'custom', message: `at most ${limits.keys} keys` })
      }
      for (const [key, item] of entries) {
        if (key.length === 0 || key.length > limits.keyLength) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `keys are 1 to ${limits.keyLength} characters`,
          })
        }
        if (typeof item !== 'string') {
          ctx.addIssue({ code: 'custom', path: [key], message: 'values must be strings (no nesting)' })
        } else if (item.length > limits.valueLength) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `values are at most ${limits.valueLength} characters`,
          })
        }
      }
    })
    .transform((value): Record<string, string> => Object.fromEntries(Object.entries(value as object)))
}

/** The schema for {@link Metadata}. */
export const metadataSchema = flatStringMap(METADATA_LIMITS)
