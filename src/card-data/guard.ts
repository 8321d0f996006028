import { CardDataRejectedError, type ValidationIssue } from '../errors.js'
import { containsCardNumber } from './card-numbers.js'
import { isSensitiveKey } from './sensitive-keys.js'

/**
 * Objects nested deeper than this are not searched. Input reaches the guard as a snapshot already held
 * to this depth (see input-snapshot.ts); the cap also bounds the recursion for any other caller.
 */
const MAX_DEPTH = 32

/** Stands for a field name that itself looks like a card number, so that paths never repeat it. */
export const REDACTED_KEY = '[redacted]'

const CARD_NUMBER_FOUND = 'looks like a card number (issuer prefix, length and Luhn check)'
const CARD_NUMBER_KEY_FOUND = 'field name looks like a card number (issuer prefix, length and Luhn check)'
const SENSITIVE_KEY_FOUND = 'field names sensitive card data (card number, security code, PIN or track data)'

/**
 * Collects every place in `input` that holds card data, without throwing; see {@link assertNoCardData}
 * for what is searched and what counts.
 *
 * @param input - Anything, typically a method's whole input as snapshotted by the validation gate.
 * @param rootPath - Prefix of every issue's path, such as `metadata` when only that field is passed.
 * @returns One issue per offending string or field name; empty when the input is clean.
 */
export function findCardData(input: unknown, rootPath = ''): ValidationIssue[] {
  const walk: Walk = { issues: [], seen: new WeakSet(), segments: rootPath === '' ? [] : [rootPath] }
  visit(input, 0, walk)
  return walk.issues
}

/**
 * The card-data guard (PCI DSS 3.3): throws when any part of `input` looks like card data, so that it is
 * never stored, logged or echoed. The validation gate calls it on the snapshot of a method's whole input
 * before validating anything else.
 *
 * It walks objects and arrays (own enumerable string keys, at most 32 levels deep, each object once) and
 * rejects:
 * - a string, or a field name, holding a card number as card-data scanners find one: digits of any
 *   script with at most one separator of any common kind between two of them, 13–19 of them that fit a
 *   brand's issuer prefix and length and pass Luhn, starting and ending at a group boundary
 *   (`4242 4242 4242 4242 01/30`, `４２４２…`, `4242.4242.4242.4242`);
 * - a field whose name, split into words after folding look-alike characters, names a security code,
 *   PIN, track data or card number (`cvc`, `card_cvc`, `cvvCode`, `pin_code`, `cardNumber1`), whatever
 *   its value.
 *
 * Numbers are not searched: they sit in amount and quantity fields, where a 16-digit price is money, and
 * a card number cannot reach a string column through them.
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
      if (containsCardNumber(value)) report(walk, CARD_NUMBER_FOUND)
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
    if (isSensitiveKey(key)) report(walk, SENSITIVE_KEY_FOUND)
    // Still search the value: a card number under `cvc` is reported as well.
    visit(record[key], depth + 1, walk)
    walk.segments.pop()
  }
}

function report(walk: Walk, message: string): void {
  walk.issues.push({ path: walk.segments.join('.'), message })
}
