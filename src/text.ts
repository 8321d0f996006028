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

/** An email address: trimmed, at most 320 characters; the case is kept, comparison ignores it. */
export const emailSchema = z
  .string({ message: 'must be a string' })
  .trim()
  .max(320, 'must be at most 320 characters')
  .pipe(z.email({ message: 'must be a valid email address' }))

/** Lower-cases an email for comparison and uniqueness. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

/**
 * A phone number as typed: digits with +, spaces, dashes, dots, slashes or parentheses, and an optional
 * extension (`x12`, `ext. 12`). Linear: the first digit is the first character of the run that may hold
 * digits, and the extension starts with a letter or a whitespace character other than space, neither of
 * which the run can hold, so a failing match gives up each position in constant time.
 */
const PHONE_PATTERN = /^\+?[ ().\-/]*[0-9][0-9 ().\-/]*(?:(?:[^\S ]\s*)?(?:x|ext\.?)\s*[0-9]{1,8})?$/i

/** A phone number as typed (see {@link PHONE_PATTERN}); the length is checked before the pattern runs. */
export const phoneSchema = z
  .string({ message: 'must be a string' })
  .max(64, 'must be at most 64 characters')
  .pipe(z.string().regex(PHONE_PATTERN, 'must be a phone number'))

/** A record id as the store makes them (any non-empty string up to 36 characters is looked up). */
export const idSchema = z
  .string({ message: 'must be a string id' })
  .min(1, 'must not be empty')
  .max(36, 'is not an id')

/** Options carrying an optional `expectedVersion`. */
export const expectedVersionSchema = z.strictObject({
  expectedVersion: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
})
