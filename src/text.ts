import { z } from 'zod'

/*
 * Text fields keep exactly what was given (no trimming, no case folding): what a shopper typed comes
 * back byte for byte. Only lengths are limited, in Unicode code points (as PostgreSQL and MySQL count
 * characters), and NUL, which PostgreSQL cannot store in text, is refused.
 */

/** Required text of 1 to `max` characters, kept exactly as given. */
export function text(max: number) {
  return z
    .string({ message: 'must be a string' })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !value.includes('\0'), 'must not contain NUL characters')
}

/** Optional text: absent, `null` or 1 to `max` characters. Read back as `null` when absent. */
export function optionalText(max: number) {
  return text(max).nullish()
}

/**
 * Whether an email's domain is under `.invalid`, the top-level domain RFC 2606 reserves for names that
 * can never resolve: no mail is ever delivered there, and erased customers keep such an address.
 */
export function isReservedInvalidEmail(email: string): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase()
  return domain === 'invalid' || domain.endsWith('.invalid')
}

/**
 * An email address: trimmed, at most 320 characters; the case is kept, comparison ignores it. Addresses
 * on the `.invalid` top-level domain are refused: nothing can be delivered to them, and erased customers
 * keep one (`<id>@anonymized.invalid`), which nobody may sign up as.
 */
export const emailSchema = z
  .string({ message: 'must be a string' })
  .trim()
  .max(320, 'must be at most 320 characters')
  .pipe(z.email({ message: 'must be a valid email address' }))
  .refine((email) => !isReservedInvalidEmail(email), 'must not be on the .invalid domain (RFC 2606)')

/** Lower-cases an email for comparison and uniqueness. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

/** A phone number as typed: digits with +, spaces, dashes, dots, slashes or parentheses. */
export const phoneSchema = z
  .string({ message: 'must be a string' })
  .max(64, 'must be at most 64 characters')
  .regex(/^\+?[0-9 ().\-/]*[0-9][0-9 ().\-/]*(?:\s*(?:x|ext\.?)\s*[0-9]{1,8})?$/i, 'must be a phone number')

/** A record id as the store makes them (any non-empty string up to 36 characters is looked up). */
export const idSchema = z
  .string({ message: 'must be a string id' })
  .min(1, 'must not be empty')
  .max(36, 'is not an id')

/** Options carrying an optional `expectedVersion`. */
export const expectedVersionSchema = z.strictObject({
  expectedVersion: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
})
