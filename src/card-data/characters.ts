/*
 * The characters a card number is typed with: decimal digits of any script, and the separators that may
 * stand between two of them.
 */

/**
 * The code point of the digit zero of every run of ten decimal digits (Unicode category Nd) outside
 * ASCII, in ascending order. Unicode places each script's digits 0–9 on consecutive code points, so a
 * digit's value is its distance from the zero before it. A test checks this table against the engine's
 * own `\p{Nd}`, so a newer Unicode version that adds digits is noticed.
 */
const DIGIT_ZEROS: readonly number[] = [
  0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0,
  0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50,
  0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x10d40, 0x11066, 0x110f0,
  0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x116d0, 0x116da, 0x11730, 0x118e0, 0x11950,
  0x11bf0, 0x11c50, 0x11d50, 0x11da0, 0x11de0, 0x11f50, 0x16130, 0x16a60, 0x16ac0, 0x16b50, 0x16d70, 0x1ccf0,
  0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e4f0, 0x1e5f1, 0x1e950, 0x1fbf0,
]

/** The lowest code point in {@link DIGIT_ZEROS}: below it, only `0`–`9` are digits. */
export const FIRST_NON_ASCII_ZERO = 0x660

/**
 * The value (0–9) of a decimal digit of any script (`7`, full-width `７`, Arabic-Indic `٧`, Devanagari
 * `७`…), or `-1` for any other code point. Constant time: a binary search over about 80 entries.
 */
export function digitValue(code: number): number {
  if (code < FIRST_NON_ASCII_ZERO) return code >= 0x30 && code <= 0x39 ? code - 0x30 : -1
  let low = 0
  let high = DIGIT_ZEROS.length - 1
  // The last zero at or below `code`.
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if ((DIGIT_ZEROS[middle] as number) <= code) low = middle
    else high = middle - 1
  }
  const offset = code - (DIGIT_ZEROS[low] as number)
  return offset >= 0 && offset < 10 ? offset : -1
}

/** @internal For the test that checks {@link DIGIT_ZEROS} against the engine's Unicode tables. */
export const digitZeros: readonly number[] = DIGIT_ZEROS

/**
 * Characters that may stand between two digits of a card number, one at a time: spaces of every width
 * (including no-break, thin and ideographic), tab and line breaks, hyphens and dashes (en, em, minus,
 * full-width), dot, slash and underscore (also full-width), and the invisible ones a copy and paste
 * carries along (zero-width space, joiners, word joiner, byte order mark, soft hyphen).
 */
const SEPARATORS: ReadonlySet<number> = new Set([
  // ASCII: tab, line feed, vertical tab, form feed, carriage return, space, - . / _
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x2d, 0x2e, 0x2f, 0x5f,
  // No-break space, soft hyphen, Ogham space mark
  0xa0, 0xad, 0x1680,
  // En quad … hair space, zero-width space, zero-width non-joiner, zero-width joiner
  0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x200b, 0x200c,
  0x200d,
  // Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar
  0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015,
  // Line and paragraph separators, narrow no-break space, medium mathematical space, word joiner
  0x2028, 0x2029, 0x202f, 0x205f, 0x2060,
  // Minus sign, ideographic space, small em dash, small hyphen-minus, byte order mark
  0x2212, 0x3000, 0xfe58, 0xfe63, 0xfeff,
  // Full-width hyphen-minus, full stop, solidus and low line
  0xff0d, 0xff0e, 0xff0f, 0xff3f,
])

/** {@link SEPARATORS} below U+0080, by code point: the common case without a hash lookup. */
const ASCII_SEPARATORS = new Uint8Array(0x80)
for (const code of SEPARATORS) if (code < 0x80) ASCII_SEPARATORS[code] = 1

/** Whether `code` may stand between two digits of a card number (see {@link SEPARATORS}). */
export function isSeparator(code: number): boolean {
  return code < 0x80 ? ASCII_SEPARATORS[code] === 1 : SEPARATORS.has(code)
}
