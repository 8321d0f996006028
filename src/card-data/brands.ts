/*
 * The issuer prefixes (IIN/BIN ranges) and lengths of the card brands a checkout meets, from the brands'
 * published ranges. A digit stretch is a card number only when it passes Luhn AND its first digits fall
 * in one of these ranges with a length that brand issues: that second test is what keeps tracking
 * numbers, barcodes and phone numbers from being mistaken for cards.
 */

/** One range of issuer prefixes of one brand, and the lengths of the card numbers issued in it. */
export interface CardBrandRange {
  /** The brand, for documentation and tests. */
  readonly brand: string
  /** The lowest prefix of the range, as digits (`'2221'`). */
  readonly from: string
  /** The highest prefix of the range, with as many digits as `from` (`'2720'`). */
  readonly to: string
  /** The numbers of digits a card number in this range has. */
  readonly lengths: readonly number[]
}

const SIXTEEN_TO_NINETEEN = [16, 17, 18, 19]

/**
 * The ranges searched for. Left out, each measured or decided in README's card-data section:
 * - 13-digit Visa numbers (not issued for decades): about one German EAN-13 barcode in ten (prefixes
 *   400–440, Luhn by chance) would be taken for one;
 * - 12- to 15-digit Maestro numbers: UK EAN-13 barcodes (prefixes 500–509) collide with 5018/5020/5038;
 * - UATP (airline cards, prefix 1, 15 digits): millisecond timestamps start with 1.
 */
export const CARD_BRANDS: readonly CardBrandRange[] = [
  { brand: 'Visa', from: '4', to: '4', lengths: [16, 19] },
  { brand: 'Mastercard', from: '51', to: '55', lengths: [16] },
  { brand: 'Mastercard', from: '2221', to: '2720', lengths: [16] },
  { brand: 'American Express', from: '34', to: '34', lengths: [15] },
  { brand: 'American Express', from: '37', to: '37', lengths: [15] },
  { brand: 'Discover', from: '6011', to: '6011', lengths: SIXTEEN_TO_NINETEEN },
  { brand: 'Discover', from: '644', to: '649', lengths: SIXTEEN_TO_NINETEEN },
  { brand: 'Discover', from: '65', to: '65', lengths: SIXTEEN_TO_NINETEEN },
  { brand: 'Diners Club', from: '300', to: '305', lengths: [14, 15, 16, 17, 18, 19] },
  { brand: 'Diners Club', from: '3095', to: '3095', lengths: SIXTEEN_TO_NINETEEN },
  { brand: 'Diners Club', from: '36', to: '36', lengths: [14, 15, 16, 17, 18, 19] },
  { brand: 'Diners Club', from: '38', to: '39', lengths: SIXTEEN_TO_NINETEEN },
  { brand: 'JCB', from: '3528', to: '3589', lengths: SIXTEEN_TO_NINETEEN },
  { brand: 'UnionPay', from: '62', to: '62', lengths: SIXTEEN_TO_NINETEEN },
  { brand: 'UnionPay', from: '81', to: '81', lengths: SIXTEEN_TO_NINETEEN },
  { brand: 'Maestro', from: '50', to: '50', lengths: SIXTEEN_TO_NINETEEN },
  { brand: 'Maestro', from: '56', to: '69', lengths: SIXTEEN_TO_NINETEEN },
  { brand: 'Mir', from: '2200', to: '2204', lengths: SIXTEEN_TO_NINETEEN },
  { brand: 'BORICA', from: '2205', to: '2205', lengths: [16] },
  { brand: 'RuPay', from: '82', to: '82', lengths: [16] },
  { brand: 'UzCard', from: '8600', to: '8600', lengths: [16] },
  { brand: 'Humo', from: '9860', to: '9860', lengths: [16] },
  { brand: 'Troy', from: '9792', to: '9792', lengths: [16] },
]

/** Card numbers have 13 to 19 digits (ISO/IEC 7812); the table above never goes past these. */
export const MIN_CARD_DIGITS = 13
export const MAX_CARD_DIGITS = 19

/** Every table is keyed by a number's first six digits, the classic issuer identification number. */
export const PREFIX_DIGITS = 6

/**
 * For every six-digit prefix, a bit mask of the lengths a card number with that prefix may have: bit
 * `length - 12`. One lookup answers "does this stretch fit a brand"; building it takes about a million
 * byte writes, once.
 */
export type LengthTable = Uint8Array

/** Builds the {@link LengthTable} of `brands`; lengths outside 12–19 are not representable. */
export function lengthTable(brands: readonly CardBrandRange[]): LengthTable {
  const table = new Uint8Array(10 ** PREFIX_DIGITS)
  for (const range of brands) {
    const scale = 10 ** (PREFIX_DIGITS - range.from.length)
    let mask = 0
    for (const length of range.lengths) mask |= 1 << (length - 12)
    const end = (Number(range.to) + 1) * scale
    for (let prefix = Number(range.from) * scale; prefix < end; prefix++) {
      table[prefix] = (table[prefix] as number) | mask
    }
  }
  return table
}

/** The lengths of {@link CARD_BRANDS}, built on first use. */
let cardLengths: LengthTable | undefined

/** The {@link LengthTable} of {@link CARD_BRANDS}. */
export function cardLengthTable(): LengthTable {
  cardLengths ??= lengthTable(CARD_BRANDS)
  return cardLengths
}
