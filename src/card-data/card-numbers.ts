import { cardLengthTable, type LengthTable, MAX_CARD_DIGITS, PREFIX_DIGITS } from './brands.js'
import { digitValue, FIRST_NON_ASCII_ZERO, isSeparator } from './characters.js'
import { exemptRanges } from './exemptions.js'

/*
 * Finding card numbers in text, as card-data (DLP) scanners do. The text is read once, left to right,
 * as digit sequences: digits of any script, where between two digits at most one separator may stand
 * (`4242 4242 4242 4242`, `4242.4242…`, `４２４２…`). A sequence is made of groups, the runs of adjacent
 * digits. Every stretch of consecutive groups, from the start of one group to the end of a later one (or
 * the same one), with 12–19 digits, is judged: it is a card number when its length and first six digits
 * fit a brand's range (see brands.ts) and it passes Luhn. So `4242 4242 4242 4242 01/30` holds a card
 * number (the first four groups), and so does `+1 415 555 2671 4242 4242 4242 4242`; but a 22-digit
 * tracking number written without separators is one group, and no stretch is cut from inside a group.
 *
 * Identifiers with a check of their own (UUIDs, IBANs, printed USPS barcodes: exemptions.ts) are read as
 * if they were letters.
 *
 * Time is linear in the text's length: each character is looked at once, and each group end judges at
 * most the group starts in the 19 digits before it, each in at most 19 steps. Memory is constant.
 */

/** Where a card number was found: `text.slice(start, end)` is the stretch, inner separators included. */
export interface CardNumberRun {
  /** Index of the stretch's first digit. */
  readonly start: number
  /** Index just past the stretch's last digit. */
  readonly end: number
}

/** The shortest stretch judged; shorter than any brand in the table, so only variants measure it. */
const MIN_JUDGED_DIGITS = 12

/** Ring buffers hold the last digits and group starts of a sequence; 32 is the power of two above 19. */
const RING = 32
const RING_MASK = RING - 1

/** Where the scan stands after the character just read. */
enum After {
  /** Not inside a digit sequence. */
  Other = 0,
  Digit = 1,
  /** One separator after a digit: the sequence goes on if a digit comes next. */
  Separator = 2,
}

const CARRIAGE_RETURN = 0x0d
const LINE_FEED = 0x0a

/** What {@link scanCardNumbers} judges with; other values only in measurements. */
export interface ScanOptions {
  /** The brand table. */
  readonly lengths?: LengthTable
  /** Whether identifiers with a check of their own are skipped. */
  readonly exemptions?: boolean
}

/**
 * Reads `text` and calls `found` with every stretch that is a card number, in order of their ends;
 * stops early when `found` returns `true`.
 */
export function scanCardNumbers(
  text: string,
  found: (start: number, end: number) => boolean,
  options: ScanOptions = {},
): void {
  const lengths = options.lengths ?? cardLengthTable()
  const exempt = options.exemptions === false ? [] : exemptRanges(text)
  let nextExempt = 0
  // Where the next exempt identifier starts; never an array read past the end (slow in V8).
  let exemptStart = exempt.length > 0 ? (exempt[0] as number) : -1
  const digits = new Uint8Array(RING)
  // The group starts of the current sequence still within reach: digit index and text index.
  const startDigit = new Float64Array(RING)
  const startIndex = new Float64Array(RING)
  // The first six digits of each group start, as a number, once known (-1 until then).
  const startPrefix = new Float64Array(RING)
  let oldestStart = 0
  let nextStart = 0
  let digitCount = 0
  let state = After.Other
  let previousCode = -1

  /** Judges every stretch that ends where the current group just ended, at text index `end`. */
  const groupEnded = (end: number): boolean => {
    for (let slot = oldestStart; slot < nextStart; slot++) {
      const first = startDigit[slot & RING_MASK] as number
      const length = digitCount - first
      // A start this far back is out of reach for every later group end too.
      if (length > MAX_CARD_DIGITS) {
        oldestStart = slot + 1
        continue
      }
      if (length < MIN_JUDGED_DIGITS) break
      let prefix = startPrefix[slot & RING_MASK] as number
      if (prefix < 0) {
        prefix = prefixOf(digits, first)
        startPrefix[slot & RING_MASK] = prefix
      }
      if (
        ((lengths[prefix] as number) & (1 << (length - 12))) !== 0 &&
        luhnPasses(digits, first, length) &&
        found(startIndex[slot & RING_MASK] as number, end)
      ) {
        return true
      }
    }
    return false
  }

  for (let index = 0; index < text.length; ) {
    if (index === exemptStart) {
      // An exempt identifier reads as one non-digit: it ends any group and sequence before it.
      if (state === After.Digit && groupEnded(index)) return
      state = After.Other
      index = exempt[nextExempt + 1] as number
      nextExempt += 2
      exemptStart = nextExempt < exempt.length ? (exempt[nextExempt] as number) : -1
      continue
    }
    const code = text.codePointAt(index) as number
    const width = code > 0xffff ? 2 : 1
    const value = digitValue(code)
    if (value >= 0) {
      if (state !== After.Digit) {
        // A new group; after anything but a single separator, also a new sequence.
        if (state === After.Other) {
          oldestStart = nextStart
          digitCount = 0
        }
        startDigit[nextStart & RING_MASK] = digitCount
        startIndex[nextStart & RING_MASK] = index
        startPrefix[nextStart & RING_MASK] = -1
        nextStart++
        // Never more than 19 digits' worth of starts are kept: each holds at least one digit.
        if (nextStart - oldestStart > RING) oldestStart = nextStart - RING
      }
      digits[digitCount & RING_MASK] = value
      digitCount++
      state = After.Digit
    } else {
      if (state === After.Digit) {
        if (groupEnded(index)) return
        state = isSeparator(code) ? After.Separator : After.Other
      } else if (state === After.Separator && !(code === LINE_FEED && previousCode === CARRIAGE_RETURN)) {
        // A second separator ends the sequence; CR LF is one line break.
        state = After.Other
      }
    }
    previousCode = code
    index += width
  }
  if (state === After.Digit) groupEnded(text.length)
}

/** The first six digits from digit index `first`, as a number: the key of the brand table. */
function prefixOf(digits: Uint8Array, first: number): number {
  let prefix = 0
  for (let offset = 0; offset < PREFIX_DIGITS; offset++) {
    prefix = prefix * 10 + (digits[(first + offset) & RING_MASK] as number)
  }
  return prefix
}

/** Whether the `length` digits from digit index `first` pass the Luhn check. */
function luhnPasses(digits: Uint8Array, first: number, length: number): boolean {
  let sum = 0
  for (let offset = 0; offset < length; offset++) {
    const digit = digits[(first + length - 1 - offset) & RING_MASK] as number
    // Every second digit from the right is doubled; a two-digit result counts as the sum of its digits.
    const weighted = offset % 2 === 1 ? digit * 2 : digit
    sum += weighted > 9 ? weighted - 9 : weighted
  }
  return sum % 10 === 0
}

/**
 * Finds every card number in `text`: each stretch of 13–19 digits, starting and ending at a group
 * boundary of a digit sequence, that fits a card brand's issuer prefix and length and passes Luhn (see
 * the module comment for what a sequence and a group are). Stretches may overlap.
 *
 * @param text - Any string.
 * @returns The stretches found, in order of their ends; empty when there is none.
 */
export function findCardNumberRuns(text: string): CardNumberRun[] {
  const runs: CardNumberRun[] = []
  scanCardNumbers(text, (start, end) => {
    runs.push({ start, end })
    return false
  })
  return runs
}

/**
 * Whether `text` holds a card number, as {@link findCardNumberRuns} defines it; stops at the first.
 *
 * @param text - Any string.
 * @returns `true` when at least one is found.
 */
export function containsCardNumber(text: string): boolean {
  // Most strings (names, SKUs, tokens) are shorter than the shortest card number, or hold too few digits.
  if (text.length < 13 || tooFewDigits(text)) return false
  let any = false
  scanCardNumbers(text, () => {
    any = true
    return true
  })
  return any
}

/**
 * True when `text` cannot hold a stretch worth judging: fewer than 12 ASCII digits and no character at
 * or above the first non-ASCII digit (any of which may be a digit of another script). One pass over the
 * UTF-16 code units, and most text answers here without the scan.
 */
function tooFewDigits(text: string): boolean {
  let digits = 0
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code >= FIRST_NON_ASCII_ZERO) return false
    if (code >= 0x30 && code <= 0x39 && ++digits >= MIN_JUDGED_DIGITS) return false
  }
  return true
}

/**
 * The Luhn (mod 10) check that every payment card number passes.
 *
 * @param digits - Only the characters `0`–`9`, no separators.
 * @returns `true` when `digits` is non-empty, all digits, and passes the check.
 */
export function luhnValid(digits: string): boolean {
  if (digits.length === 0) return false
  let sum = 0
  for (let offset = 0; offset < digits.length; offset++) {
    const digit = digits.charCodeAt(digits.length - 1 - offset) - 48
    if (digit < 0 || digit > 9) return false
    const weighted = offset % 2 === 1 ? digit * 2 : digit
    sum += weighted > 9 ? weighted - 9 : weighted
  }
  return sum % 10 === 0
}
