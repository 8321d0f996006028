import { z } from 'zod'
import { keyText, text } from '../text.js'

/**
 * A saved payment method: only what PCI DSS lets a merchant keep. The card itself lives with the
 * payment provider; this holds its token.
 *
 * @example
 * ```ts
 * const card: PaymentMethodInput = { provider: 'stripe', token: 'pm_1Q2w3E', brand: 'visa', last4: '4242',
 *   expMonth: 12, expYear: 2030 }
 * await store.customers.addPaymentMethod(ada.id, card)
 * ```
 */
export interface PaymentMethodInput {
  /** The payment provider, such as `stripe` or `adyen`; 1 to 64 characters. */
  provider: string
  /** The provider's token for the card (`pm_…`), never a card number; 1 to 255 characters. */
  token: string
  /** Card brand, such as `visa`; 1 to 32 characters. */
  brand: string
  /** The card number's last four digits. */
  last4: string
  /** Expiry month, 1 to 12. */
  expMonth: number
  /** Expiry year, four digits; two-digit years are read as 20xx. */
  expYear: number
  /** The provider's fingerprint of the card, to spot the same card saved twice; up to 255 characters. */
  fingerprint?: string | null | undefined
  /** Makes this the customer's one default method (the previous default is cleared). */
  isDefault?: boolean | undefined
}

/**
 * A saved payment method as read back.
 *
 * @example
 * ```ts
 * const usable = (await store.customers.get(ada.id)).paymentMethods.filter((m) => !m.expired)
 * ```
 */
export interface PaymentMethod {
  /** The payment method's id, a UUIDv7. */
  id: string
  /** The id of the customer who saved it (UUIDv7). */
  customerId: string
  /** The payment provider, such as `stripe`. */
  provider: string
  /** The provider's token for the card (`pm_…`), never a card number. */
  token: string
  /** Card brand, such as `visa`. */
  brand: string
  /** The card number's last four digits. */
  last4: string
  /** Expiry month, 1 to 12. */
  expMonth: number
  /** Expiry year, four digits. */
  expYear: number
  /** The provider's fingerprint of the card, or `null` when none was given. */
  fingerprint: string | null
  /** Whether this is the customer's default method (at most one is). */
  isDefault: boolean
  /** True once the card's expiry month has passed (UTC). */
  expired: boolean
  /** Starts at 1, goes up by one with every change (such as losing the default). */
  version: number
  /** When the method was saved. */
  createdAt: Date
  /** When the method last changed. */
  updatedAt: Date
}

/** The schema behind {@link PaymentMethodInput}. */
export const paymentMethodSchema = z.strictObject({
  provider: keyText(64),
  token: keyText(255),
  brand: text(32),
  last4: z
    .string({ message: 'must be a string of four digits' })
    .regex(/^[0-9]{4}$/, 'must be exactly four digits'),
  expMonth: z.number().int('must be an integer').min(1, 'must be 1 to 12').max(12, 'must be 1 to 12'),
  expYear: z
    .number()
    .int('must be an integer')
    .refine((y) => (y >= 0 && y <= 99) || (y >= 1000 && y <= 9999), 'must be a four-digit year')
    .transform((y) => (y < 100 ? 2000 + y : y)),
  fingerprint: text(255).nullish(),
  isDefault: z.boolean().optional(),
})

/** True when a card expiring at the end of `expMonth`/`expYear` has expired at `now` (UTC). */
export function isExpired(expMonth: number, expYear: number, now: Date = new Date()): boolean {
  // Date.UTC with month index expMonth is the first instant of the month after expiry.
  return now.getTime() >= Date.UTC(expYear, expMonth, 1)
}
