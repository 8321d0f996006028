import fc from 'fast-check'

/*
 * Card numbers as issued, written out here from the brands' published ranges independently of
 * src/card-data/brands.ts, and the ways people type them: groups split by any common separator, digits
 * of other scripts, followed by the expiry or the security code, after a phone number.
 */

/** Issuer prefixes and lengths, one or more per brand. */
export const ISSUED: readonly { brand: string; prefixes: readonly string[]; lengths: readonly number[] }[] = [
  { brand: 'Visa', prefixes: ['4'], lengths: [16, 19] },
  { brand: 'Mastercard', prefixes: ['51', '52', '53', '54', '55', '2221', '2500', '2720'], lengths: [16] },
  { brand: 'American Express', prefixes: ['34', '37'], lengths: [15] },
  { brand: 'Discover', prefixes: ['6011', '644', '649', '65'], lengths: [16, 19] },
  { brand: 'Diners Club', prefixes: ['300', '305', '36'], lengths: [14, 16] },
  { brand: 'Diners Club', prefixes: ['38', '39', '3095'], lengths: [16] },
  { brand: 'JCB', prefixes: ['3528', '3589'], lengths: [16, 19] },
  { brand: 'UnionPay', prefixes: ['62'], lengths: [16, 17, 18, 19] },
  { brand: 'Maestro', prefixes: ['5018', '5020', '5038', '6304', '6759', '6761'], lengths: [16, 18, 19] },
  { brand: 'Mir', prefixes: ['2200', '2204'], lengths: [16] },
  { brand: 'Troy', prefixes: ['9792'], lengths: [16] },
]

/** Test numbers that payment providers publish, one or more per brand. */
export const PUBLISHED_TEST_NUMBERS: readonly string[] = [
  '4242424242424242',
  '4111111111111111',
  '4000056655665556',
  '5555555555554444',
  '2223003122003222',
  '5200828282828210',
  '378282246310005',
  '371449635398431',
  '6011111111111117',
  '6011000990139424',
  '3056930009020004',
  '36227206271667',
  '3566002020360505',
  '6200000000000005',
  '6759649826438453',
]

/** The check digit that makes `body` followed by it pass Luhn. */
export function luhnCheckDigit(body: readonly number[]): number {
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    // Counting from the right of the final number the check digit is position 1, so body's last is doubled.
    const digit = body[body.length - 1 - i] ?? 0
    const weighted = i % 2 === 0 ? digit * 2 : digit
    sum += weighted > 9 ? weighted - 9 : weighted
  }
  return (10 - (sum % 10)) % 10
}

/** A Luhn-valid number of a brand's prefix and length, as its digits. */
export const issuedCardNumber = fc.constantFrom(...ISSUED).chain(({ prefixes, lengths }) =>
  fc.tuple(fc.constantFrom(...prefixes), fc.constantFrom(...lengths)).chain(([prefix, length]) =>
    fc
      .array(fc.integer({ min: 0, max: 9 }), {
        minLength: length - prefix.length - 1,
        maxLength: length - prefix.length - 1,
      })
      .map((rest) => {
        const body = [...[...prefix].map(Number), ...rest]
        return [...body, luhnCheckDigit(body)]
      }),
  ),
)

/** Every separator DESIGN.md names, one of which may stand between two digits. */
export const SEPARATORS = [
  ' ',
  '-',
  '\u2013', // en dash
  '\u2014', // em dash
  '.',
  '/',
  '_',
  '\t',
  '\n',
  '\r\n',
  '\u00a0', // no-break space
  '\u2009', // thin space
  '\u202f', // narrow no-break space
  '\u200b', // zero-width space
  '\u200c', // zero-width non-joiner
  '\u200d', // zero-width joiner
  '\u2060', // word joiner
  '\ufeff', // byte order mark
] as const

/** The digit zero of scripts people type numbers in besides ASCII. */
export const DIGIT_ZEROS = {
  'full-width': 0xff10,
  'Arabic-Indic': 0x660,
  'Extended Arabic-Indic': 0x6f0,
  Devanagari: 0x966,
  Bengali: 0x9e6,
  Thai: 0xe50,
  'Mathematical bold': 0x1d7ce,
} as const

/** Writes `digits` in the script whose zero is `zero` (`0x30` for ASCII). */
export function inScript(digits: readonly number[], zero: number): string[] {
  return digits.map((digit) => String.fromCodePoint(zero + digit))
}

/**
 * A card number as a person might type it: its digits (in ASCII or one other script), split into groups
 * at random places by one separator each (the same one throughout, or a random one per gap).
 */
export const typedCardNumber = fc
  .record({
    digits: issuedCardNumber,
    zero: fc.oneof(
      { weight: 3, arbitrary: fc.constant(0x30) },
      { weight: 1, arbitrary: fc.constantFrom(...Object.values(DIGIT_ZEROS)) },
    ),
    gaps: fc.array(fc.boolean(), { minLength: 19, maxLength: 19 }),
    separator: fc.constantFrom(...SEPARATORS),
    mixed: fc.array(fc.constantFrom(...SEPARATORS), { minLength: 19, maxLength: 19 }),
    sameSeparator: fc.boolean(),
  })
  .map(({ digits, zero, gaps, separator, mixed, sameSeparator }) => {
    const written = inScript(digits, zero)
      .map((digit, i) => {
        if (i === 0 || !gaps[i]) return digit
        return (sameSeparator ? separator : (mixed[i] ?? ' ')) + digit
      })
      .join('')
    return { digits: digits.join(''), typed: written }
  })
