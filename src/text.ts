import { z } from 'zod'

/*
 * Text fields keep exactly what was given (no trimming, no case folding): what a shopper typed comes
 * back byte for byte. Only lengths are limited, in Unicode code points (as PostgreSQL and MySQL count
 * characters), and what a database cannot keep exactly is refused, by one rule for every string that
 * enters, stored or looked up ({@link isStorableText}).
 */

/** Why {@link isStorableText} refused a string. */
export const STORABLE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates'

// With the u flag a surrogate pair is one code point, never \p{Cs}: only an unpaired half matches.
const LONE_SURROGATE = /\p{Cs}/u

/**
 * The shared text rule: true when every database stores `value` exactly and compares it as given.
 * PostgreSQL refuses NUL in text (and a lookup holding one fails with 22021); a lone UTF-16 surrogate is
 * not Unicode text, so every driver encodes it as U+FFFD and two different strings would become one.
 * Linear in the string's length.
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\0') && !LONE_SURROGATE.test(value)
}

/**
 * True when `value` neither starts nor ends with whitespace. For strings compared as keys: MariaDB's
 * `utf8mb4_bin` is a PAD SPACE collation, so `'k'` and `'k '` are one value to a unique index and to
 * `WHERE key = ?` there, and not on PostgreSQL or SQLite. A key with surrounding whitespace is refused
 * on every dialect rather than equal on one.
 */
export function isTrimmedKey(value: string): boolean {
  return value.length === 0 || !(/^\s/.test(value) || /\s$/.test(value))
}

/** A string passing the shared text rule, for lookups (search text, an email to find). */
export function storableString(max: number) {
  return z
    .string({ message: 'must be a string' })
    .max(max, `must be at most ${max} characters`)
    .refine(isStorableText, STORABLE_TEXT_MESSAGE)
}

/** Required text of 1 to `max` characters, kept exactly as given. */
export function text(max: number) {
  return z
    .string({ message: 'must be a string' })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine(isStorableText, STORABLE_TEXT_MESSAGE)
}

/**
 * A key of 1 to `max` characters compared for equality (an idempotency key, an id): the shared text rule
 * and no leading or trailing whitespace ({@link isTrimmedKey}).
 */
export function keyText(max: number) {
  return text(max).refine(isTrimmedKey, 'must not start or end with whitespace')
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
  .refine(isStorableText, STORABLE_TEXT_MESSAGE)
  .refine(isTrimmedKey, 'is not an id')

/** Options carrying an optional `expectedVersion`. */
export const expectedVersionSchema = z.strictObject({
  expectedVersion: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
})
