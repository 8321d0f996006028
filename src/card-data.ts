import { CardDataRejectedError, type ValidationIssue } from './errors.js'

/** Card numbers (PANs) have 13 to 19 digits (ISO/IEC 7812). */
const MIN_PAN_DIGITS = 13
const MAX_PAN_DIGITS = 19

/**
 * Objects nested deeper than this are not searched. Legitimate checkout input is a few levels deep; deeper
 * input is left to validation to reject, and the cap keeps a hostile input from exhausting the stack.
 */
const MAX_DEPTH = 32

/**
 * A maximal run of digits in which two digits may be separated by one space or one dash, as card numbers
 * are typed (`4242 4242 4242 4242`, `4111-1111-1111-1111`). The regex is greedy and scans left to right,
 * so each match is a maximal run: `12 34` is one run, `12  34` (two spaces) and `12 - 34` are two.
 */
const DIGIT_RUN = /\d(?:[ -]?\d)*/g

/**
 * Field names, normalised (lowercase, only `[a-z0-9]` kept), that name data PCI DSS forbids storing
 * (security codes, PINs, track data) or that should never hold anything but a full card number.
 */
const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  'cvc',
  'cvc2',
  'cvv',
  'cvv2',
  'cvn',
  'cid',
  'csc',
  'pin',
  'pinblock',
  'pan',
  'cardnumber',
  'cardno',
  'ccnumber',
  'creditcardnumber',
  'cardnum',
  'securitycode',
  'cardsecuritycode',
  'track1',
  'track2',
  'trackdata',
  'magstripe',
])

const NOT_KEY_CHARACTER = /[^a-z0-9]/g

/** Stands for a field name that itself looks like a card number, so that paths never repeat it. */
const REDACTED_KEY = '[redacted]'

const CARD_NUMBER_FOUND = 'looks like a card number (passes the Luhn check)'
const CARD_NUMBER_KEY_FOUND = 'field name looks like a card number (passes the Luhn check)'
const SENSITIVE_KEY_FOUND = 'field names sensitive card data (card number, security code, PIN or track data)'

/**
 * Where a card number was found in a string: `text.slice(start, end)` is the maximal digit run, separators
 * included.
 */
export interface CardNumberRun {
  /** Index of the run's first digit. */
  readonly start: number
  /** Index just past the run's last digit. */
  readonly end: number
}

/**
 * The Luhn (mod 10) check that every payment card number passes.
 *
 * @param digits - Only the characters `0`–`9`, no separators.
 * @returns `true` when `digits` is non-empty, all digits, and passes the check.
 */
export function luhnValid(digits: string): boolean {
  return /^\d+$/.test(digits) && luhnDigitCount(digits, 0, digits.length, Number.POSITIVE_INFINITY) > 0
}

/**
 * Finds every maximal run of 13–19 digits (one space or dash allowed between two digits) that passes the
 * Luhn check. Only the maximal run is judged: a 20-digit run is not a card number even when 16 of its
 * digits would be one.
 *
 * @param text - Any string.
 * @returns The runs found, in order; empty when there is none.
 */
export function findCardNumberRuns(text: string): CardNumberRun[] {
  const runs: CardNumberRun[] = []
  if (text.length < MIN_PAN_DIGITS) return runs
  for (const match of text.matchAll(DIGIT_RUN)) {
    const start = match.index
    const end = start + match[0].length
    if (isCardNumberRun(text, start, end)) runs.push({ start, end })
  }
  return runs
}

/**
 * Whether `text` holds a card number, as {@link findCardNumberRuns} defines it, without collecting the runs.
 *
 * @param text - Any string.
 * @returns `true` when at least one run is found.
 */
export function containsCardNumber(text: string): boolean {
  // Most strings (names, SKUs, tokens) are shorter than the shortest card number: no regex work at all.
  if (text.length < MIN_PAN_DIGITS) return false
  // A shared global regex keeps its position between calls: start from the beginning every time.
  DIGIT_RUN.lastIndex = 0
  for (let match = DIGIT_RUN.exec(text); match !== null; match = DIGIT_RUN.exec(text)) {
    if (isCardNumberRun(text, match.index, match.index + match[0].length)) return true
  }
  return false
}

/**
 * Collects every place in `input` that holds card data, without throwing; see {@link assertNoCardData}
 * for what is searched and what counts.
 *
 * @param input - Anything, typically a method's whole input.
 * @param rootPath - Prefix of every issue's path, such as `metadata` when only that field is passed.
 * @returns One issue per offending string, number or field name; empty when the input is clean.
 */
export function findCardData(input: unknown, rootPath = ''): ValidationIssue[] {
  const walk: Walk = { issues: [], seen: new WeakSet(), segments: rootPath === '' ? [] : [rootPath] }
  visit(input, 0, walk)
  return walk.issues
}

/**
 * The card-data guard (PCI DSS 3.3): throws when any part of `input` looks like card data, so that it is
 * never stored, logged or echoed. Call it on a method's whole input before validating anything else.
 *
 * It walks objects and arrays (own enumerable string keys, at most 32 levels deep, each object once) and
 * rejects:
 * - a string, or a field name, holding a maximal run of 13–19 digits that passes the Luhn check, with at
 *   most one space or dash between two digits (`4242 4242 4242 4242`, `378282246310005`);
 * - a field whose name, lowercased with everything but letters and digits removed, is a card-data name
 *   such as `cvc`, `cvv2`, `pin`, `pan`, `cardnumber` or `track2` (`CVV`, `card_number`, `Card-Number`),
 *   whatever its value.
 *
 * Phone numbers, ISBNs, provider tokens (`pm_…`, `tok_visa`) and last4 pass: they are too short, or not
 * one run, or fail the check. Numbers are not searched: they sit in amount and quantity fields, where a
 * 16-digit price is money, not a card number, and a card number cannot reach a string column through them.
 *
 * @param input - Anything, typically a method's whole input.
 * @param rootPath - Prefix of every issue's path; `''` (the default) makes paths relative to `input`.
 * @throws {@link CardDataRejectedError} listing where card data was found (dotted paths such as
 * `metadata.note` or `items.0.name`, `''` for a bare string). Neither the paths nor the messages contain
 * the value: a field name that looks like a card number appears as `[redacted]`.
 *
 * @example
 * ```ts
 * assertNoCardData({ metadata: { note: 'card 4242 4242 4242 4242' } })
 * // throws CardDataRejectedError, issues: [{ path: 'metadata.note', message: 'looks like a card number …' }]
 * ```
 */
export function assertNoCardData(input: unknown, rootPath = ''): void {
  const issues = findCardData(input, rootPath)
  if (issues.length > 0) throw new CardDataRejectedError(issues)
}

/**
 * A canonical 8-4-4-4-12 UUID, as the store makes ids and clients make idempotency keys. Its digit groups
 * joined by dashes can form a Luhn-valid run (about one UUIDv7 in 160), but no card number is typed as a
 * UUID, so such a string is not searched.
 */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface Walk {
  readonly issues: ValidationIssue[]
  /** Objects already searched: guards against cycles and searches shared objects once. */
  readonly seen: WeakSet<object>
  /** The path to the value being visited; joined only when an issue is reported. */
  readonly segments: (string | number)[]
}

function visit(value: unknown, depth: number, walk: Walk): void {
  switch (typeof value) {
    case 'string':
      if (!CANONICAL_UUID.test(value) && containsCardNumber(value)) report(walk, CARD_NUMBER_FOUND)
      return
    case 'object':
      break
    default:
      return
  }
  // Dates and binary data hold no text; the depth cap and the seen set bound the work.
  if (value === null || value instanceof Date || ArrayBuffer.isView(value) || depth >= MAX_DEPTH) return
  if (walk.seen.has(value)) return
  walk.seen.add(value)

  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      walk.segments.push(index)
      visit(value[index], depth + 1, walk)
      walk.segments.pop()
    }
    return
  }
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) {
    const keyHasCardNumber = containsCardNumber(key)
    walk.segments.push(keyHasCardNumber ? REDACTED_KEY : key)
    if (keyHasCardNumber) report(walk, CARD_NUMBER_KEY_FOUND)
    if (SENSITIVE_KEYS.has(key.toLowerCase().replace(NOT_KEY_CHARACTER, ''))) {
      report(walk, SENSITIVE_KEY_FOUND)
    }
    // Still search the value: a card number under `cvc` is reported as well.
    visit(record[key], depth + 1, walk)
    walk.segments.pop()
  }
}

function report(walk: Walk, message: string): void {
  walk.issues.push({ path: walk.segments.join('.'), message })
}

/** Whether `text[start, end)`, a digit run, has 13–19 digits and passes the Luhn check. */
function isCardNumberRun(text: string, start: number, end: number): boolean {
  if (end - start < MIN_PAN_DIGITS) return false
  return luhnDigitCount(text, start, end, MAX_PAN_DIGITS) >= MIN_PAN_DIGITS
}

/**
 * Runs the Luhn check over the digits of `text[start, end)`, skipping any other character, without
 * allocating. Returns how many digits there are when they pass, `-1` when they fail, when there is none, or
 * when there are more than `maxDigits`.
 */
function luhnDigitCount(text: string, start: number, end: number, maxDigits: number): number {
  let count = 0
  let sum = 0
  for (let index = end - 1; index >= start; index--) {
    const digit = text.charCodeAt(index) - 48
    if (digit < 0 || digit > 9) continue
    count++
    if (count > maxDigits) return -1
    // Every second digit from the right is doubled; a two-digit result counts as the sum of its digits.
    const weighted = count % 2 === 0 ? digit * 2 : digit
    sum += weighted > 9 ? weighted - 9 : weighted
  }
  return count > 0 && sum % 10 === 0 ? count : -1
}
