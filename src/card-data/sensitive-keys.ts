/*
 * Field names that name card data. A key is split into words the way code names them (`cardCvc`,
 * `card_cvc`, `CVVCode`, `securityCode2`), after folding the tricks that make a name look different to
 * a program but not to a person: full-width and other compatibility forms (NFKC), accents, invisible
 * characters, and Cyrillic or Greek letters that look Latin. Then the key is refused when some of its
 * consecutive words, joined, spell a name on the list. Words, not substrings: `shipping` holds `pin`
 * and `company` holds `pan`, and neither names card data.
 */

/**
 * Card-data names as joined words. Security codes (CVC, CVV, CVN, CSC, CID, CAV, CVD, security code),
 * PINs, track data, and card numbers, which should never be sent anywhere but to a payment provider.
 */
const SENSITIVE_NAMES: ReadonlySet<string> = new Set([
  // Security codes; `cvv2`, `cvc2`, `cav2` split into the name and `2`.
  'cvc',
  'cvv',
  'cvn',
  'csc',
  'cid',
  'cav',
  'cvd',
  'securitycode',
  'cardverificationcode',
  'cardverificationvalue',
  // PINs
  'pin',
  'pinblock',
  // Track data
  'track1',
  'track2',
  'trackdata',
  'magstripe',
  'magneticstripe',
  // Card numbers
  'pan',
  'primaryaccountnumber',
  'cardnumber',
  'cardno',
  'cardnum',
  'ccnumber',
  'ccnum',
  'ccno',
])

/** The length of the longest name on the list. */
const LONGEST_NAME = Math.max(...[...SENSITIVE_NAMES].map((name) => name.length))

/** The most words one name on the list is spelled with (`card`, `verification`, `value`). */
const MAX_NAME_WORDS = 3

/**
 * Cyrillic and Greek letters that look like Latin ones, mapped to them (the confusables a person reads
 * as `cvv` or `pin`). Full-width and mathematical letters are folded by NFKC before this map is used.
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  с: 'c',
  ԁ: 'd',
  е: 'e',
  һ: 'h',
  і: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  ѕ: 's',
  т: 't',
  у: 'y',
  ѵ: 'v',
  ԝ: 'w',
  х: 'x',
  А: 'A',
  В: 'B',
  С: 'C',
  Е: 'E',
  Н: 'H',
  І: 'I',
  Ј: 'J',
  К: 'K',
  М: 'M',
  О: 'O',
  Р: 'P',
  Ѕ: 'S',
  Т: 'T',
  У: 'Y',
  Ѵ: 'V',
  Х: 'X',
  // Greek
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  // Latin letters that are not ASCII but read as ASCII
  ı: 'i',
  ɑ: 'a',
  ℓ: 'l',
}

const LOOK_ALIKE = new RegExp(`[${Object.keys(LOOK_ALIKES).join('')}]`, 'gu')
/** Combining marks (accents) and invisible format characters (zero-width space, joiners, BOM). */
const MARKS_AND_INVISIBLES = /[\p{M}\p{Cf}]/gu

/** Folds `key` to what a person reads: compatibility forms, accents, invisibles, look-alike letters. */
export function foldKey(key: string): string {
  return key
    .normalize('NFKD')
    .replace(MARKS_AND_INVISIBLES, '')
    .normalize('NFKC')
    .replace(LOOK_ALIKE, (letter) => LOOK_ALIKES[letter] ?? letter)
}

/**
 * Splits a (folded) key into lower-case words: at every character that is not a letter or digit, where
 * a lower-case letter is followed by an upper-case one (`card|Cvc`), before the last capital of a run
 * of capitals followed by a lower-case letter (`CVV|Code`), and between letters and digits (`cvv|2`).
 */
export function keyWords(key: string): string[] {
  const words: string[] = []
  let word = ''
  let previous = Kind.None
  for (let index = 0; index < key.length; ) {
    const code = key.codePointAt(index) as number
    const width = code > 0xffff ? 2 : 1
    const kind = kindOf(code)
    const nextIndex = index + width
    const breaks =
      kind === Kind.None ||
      (kind === Kind.Upper && previous === Kind.Lower) ||
      (kind === Kind.Upper &&
        previous === Kind.Upper &&
        nextIndex < key.length &&
        kindOf(key.codePointAt(nextIndex) as number) === Kind.Lower) ||
      (kind === Kind.Digit) !== (previous === Kind.Digit)
    if (breaks && word !== '') {
      words.push(word.toLowerCase())
      word = ''
    }
    if (kind !== Kind.None) word += key.slice(index, nextIndex)
    previous = kind
    index = nextIndex
  }
  if (word !== '') words.push(word.toLowerCase())
  return words
}

enum Kind {
  None = 0,
  Lower = 1,
  Upper = 2,
  Digit = 3,
}

const UPPER = /^[\p{Lu}\p{Lt}]$/u
const LETTER = /^\p{L}$/u
const DIGIT = /^\p{Nd}$/u

/** Letter case or digit of one code point; ASCII without a regex, the rest by Unicode category. */
function kindOf(code: number): Kind {
  if (code < 0x80) {
    if (code >= 0x61 && code <= 0x7a) return Kind.Lower
    if (code >= 0x41 && code <= 0x5a) return Kind.Upper
    if (code >= 0x30 && code <= 0x39) return Kind.Digit
    return Kind.None
  }
  const character = String.fromCodePoint(code)
  if (DIGIT.test(character)) return Kind.Digit
  if (UPPER.test(character)) return Kind.Upper
  return LETTER.test(character) ? Kind.Lower : Kind.None
}

/**
 * Whether a field name names card data: a security code, PIN, track data or card number, by its words
 * after folding (`card_cvc`, `cvvCode`, `cc_cvv`, `securityCode2`, `pin_code`, `ccnum`, `cardNumber1`,
 * Cyrillic `сvv`, full-width `ｃｖｖ`), while `shipping`, `spinner`, `pandemic`, `company` and `cidr` pass,
 * and so does `pincode` as one word: in India it is the postal code.
 */
export function isSensitiveKey(key: string): boolean {
  // The same few field names come with every call: each is judged once (the answer depends on the key
  // alone), up to a bound, so that a stream of distinct keys costs memory only up to it.
  let sensitive = judgedKeys.get(key)
  if (sensitive === undefined) {
    sensitive = judgeKey(key)
    if (judgedKeys.size >= MAX_JUDGED_KEYS) judgedKeys.clear()
    if (key.length <= MAX_REMEMBERED_KEY_LENGTH) judgedKeys.set(key, sensitive)
  }
  return sensitive
}

/** Keys judged so far, and the verdicts. */
const judgedKeys = new Map<string, boolean>()
const MAX_JUDGED_KEYS = 4096
/** Longer keys are judged every time: a remembered key is held in memory. */
const MAX_REMEMBERED_KEY_LENGTH = 64

function judgeKey(key: string): boolean {
  const words = keyWords(foldKey(key))
  for (let first = 0; first < words.length; first++) {
    let joined = ''
    for (let last = first; last < words.length && last < first + MAX_NAME_WORDS; last++) {
      joined += words[last]
      // No name on the list is longer than this; a longer join cannot become one.
      if (joined.length > LONGEST_NAME) break
      if (SENSITIVE_NAMES.has(joined)) return true
    }
  }
  return false
}
