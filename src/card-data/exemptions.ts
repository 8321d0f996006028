/*
 * Identifiers whose digits can line up as a card number but that carry their own check, so that text
 * holding one is not taken for card data: canonical UUIDs (by shape), IBANs (ISO 13616 mod 97) and USPS
 * Intelligent Mail package barcodes as printed on labels (4-4-4-4-4-2, GS1 mod 10). Each is found only as
 * a whole token (nothing alphanumeric right before or after) and only when its check holds, so a card
 * number typed on its own is never hidden by one; measured in README's card-data section.
 *
 * Each finder looks at most a fixed number of characters from each token start: linear time.
 */

enum Class {
  Other = 0,
  Digit = 1,
  Upper = 2,
  Lower = 3,
}

function classOf(code: number): Class {
  if (code >= 0x30 && code <= 0x39) return Class.Digit
  if (code >= 0x41 && code <= 0x5a) return Class.Upper
  if (code >= 0x61 && code <= 0x7a) return Class.Lower
  return Class.Other
}

const isAlphanumeric = (text: string, index: number) =>
  index >= 0 && index < text.length && classOf(text.charCodeAt(index)) !== Class.Other

/**
 * The ranges of `text` that hold an exempt identifier, as `[start, end, start, end, …]` in ascending
 * order, not overlapping.
 */
export function exemptRanges(text: string): number[] {
  const ranges: number[] = []
  let coveredTo = 0
  for (let start = 0; start < text.length; start++) {
    // A token starts after a character that is not an ASCII letter or digit.
    if (start < coveredTo || isAlphanumeric(text, start - 1)) continue
    const end = uuidEnd(text, start) || ibanEnd(text, start) || printedImpbEnd(text, start)
    if (end > 0) {
      ranges.push(start, end)
      coveredTo = end
    }
  }
  return ranges
}

const UUID_GROUPS = [8, 4, 4, 4, 12]

/** The end of a canonical 8-4-4-4-12 UUID starting at `start`, or 0. */
function uuidEnd(text: string, start: number): number {
  let index = start
  for (const [group, length] of UUID_GROUPS.entries()) {
    if (group > 0) {
      if (text.charCodeAt(index) !== 0x2d) return 0
      index++
    }
    for (let i = 0; i < length; i++, index++) {
      const code = text.charCodeAt(index) | 0x20
      if (!((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66))) return 0
    }
  }
  return isAlphanumeric(text, index) ? 0 : index
}

/** ISO 13616: an IBAN has 15 to 34 characters. */
const IBAN_MIN = 15
const IBAN_MAX = 34

/**
 * The end of an IBAN starting at `start` (two capitals, two check digits, then capitals and digits,
 * written without spaces or in groups of four), whose check holds, or 0. The longest valid one wins.
 */
function ibanEnd(text: string, start: number): number {
  if (
    classOf(text.charCodeAt(start)) !== Class.Upper ||
    classOf(text.charCodeAt(start + 1)) !== Class.Upper ||
    classOf(text.charCodeAt(start + 2)) !== Class.Digit ||
    classOf(text.charCodeAt(start + 3)) !== Class.Digit
  ) {
    return 0
  }
  // The check moves the first four characters to the end: country letters as 10–35, then check digits.
  const tail = [
    text.charCodeAt(start) - 55,
    text.charCodeAt(start + 1) - 55,
    text.charCodeAt(start + 2) - 48,
    text.charCodeAt(start + 3) - 48,
  ]
  let remainder = 0
  let count = 4
  let index = start + 4
  let best = 0
  const grouped = text.charCodeAt(index) === 0x20
  while (count < IBAN_MAX) {
    if (grouped && count % 4 === 0) {
      if (text.charCodeAt(index) !== 0x20) break
      index++
    }
    const code = text.charCodeAt(index)
    const kind = classOf(code)
    if (kind === Class.Digit) remainder = (remainder * 10 + code - 48) % 97
    else if (kind === Class.Upper) remainder = (remainder * 100 + code - 55) % 97
    else break
    count++
    index++
    if (count >= IBAN_MIN && !isAlphanumeric(text, index) && withTail(remainder, tail) === 1) best = index
  }
  return best
}

function withTail(remainder: number, tail: readonly number[]): number {
  let value = remainder
  for (const part of tail) value = (value * (part >= 10 ? 100 : 10) + part) % 97
  return value
}

/**
 * The end of a USPS Intelligent Mail package barcode as printed, `9[2-5]dd dddd dddd dddd dddd dd`
 * (22 digits in groups of four), whose GS1 check digit holds, or 0. Written without spaces it is one
 * digit group, which the card scanner never cuts, so it needs no exemption.
 */
function printedImpbEnd(text: string, start: number): number {
  const first = text.charCodeAt(start)
  const second = text.charCodeAt(start + 1)
  if (first !== 0x39 || second < 0x32 || second > 0x35) return 0
  let index = start
  let sum = 0
  for (let count = 0; count < 22; count++) {
    if (count > 0 && count % 4 === 0) {
      if (text.charCodeAt(index) !== 0x20) return 0
      index++
    }
    const code = text.charCodeAt(index)
    if (classOf(code) !== Class.Digit) return 0
    // Weights 3, 1, 3… from the right of the 21 digits before the check digit; the check makes it 0 mod 10.
    sum += count === 21 ? code - 48 : (code - 48) * (count % 2 === 0 ? 3 : 1)
    index++
  }
  return sum % 10 === 0 && !isAlphanumeric(text, index) ? index : 0
}
