/*
 * A deterministic corpus of numbers that are NOT card numbers but look like them to a digit scanner:
 * carriers' tracking numbers, phone numbers, UUIDs, book and product barcodes, IBANs, order references
 * and timestamps, each built to its published format with its own check digit. The false-positive test
 * and the measuring script (bench/card-data-false-positives.ts) read it; the same seed gives the same
 * corpus everywhere.
 */

/** The kinds of look-alike, each with the format it is generated in. */
export const LOOK_ALIKE_KINDS = {
  'UPS 1Z': 'UPS 1Z tracking number: shipper, service, package, UPS check digit (18 characters)',
  'FedEx 12': 'FedEx Express, 12 digits, mod 11 check digit',
  'FedEx 15': 'FedEx Ground, 15 digits, mod 10 (3-1) check digit',
  'FedEx 20': 'FedEx SmartPost, 20 digits (61…), IMpb check digit',
  'FedEx 22': 'FedEx Ground 96 barcode, 22 digits',
  'USPS 20': 'USPS 20 digits (certified mail 7…, 0300…)',
  'USPS 22': 'USPS IMpb, 22 digits (92…, 93…, 94…, 95…), as carriers return it',
  'USPS 22 printed': 'USPS IMpb as printed on the label, 4-4-4-4-4-2 with spaces',
  'DHL 10': 'DHL Express waybill, 10 digits, mod 7 check digit',
  'E.164 phone': 'E.164 phone numbers of 16 countries, with and without spaces',
  'UUID v4': 'random UUIDs',
  'UUID v7': 'time-ordered UUIDs, timestamps 2024–2027',
  'ISBN-13': '978/979, plain or hyphenated',
  'EAN-13': 'GS1 prefixes: half German (400–440), a tenth British (500–509), the rest of 19 others',
  IBAN: 'DE, GB, FR, NL, ES, IT, AT, BE, CH, PL, valid mod 97, printed in groups of 4',
  'order number': 'shop order references: ORD-2025-000123, #100234, SO-…, Amazon 3-7-7',
  'timestamp ms': 'Unix time in milliseconds, 2001–2033',
} as const

export type LookAlikeKind = keyof typeof LOOK_ALIKE_KINDS

/** A small seeded generator (mulberry32): the corpus must not change between runs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Random = () => number

const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1))
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, 0, items.length - 1)] as T
const digits = (random: Random, count: number) =>
  Array.from({ length: count }, () => int(random, 0, 9)).join('')
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'

/** Check digit for weights applied from the right of `body` (the digit next to the check first). */
function weightedMod10(body: string, weights: readonly number[]): number {
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    sum += Number(body[body.length - 1 - i]) * (weights[i % weights.length] as number)
  }
  return (10 - (sum % 10)) % 10
}

/** GS1 (EAN, ISBN, IMpb, SSCC): weights 3, 1, 3… from the right. */
const gs1Check = (body: string) => weightedMod10(body, [3, 1])

function upsNumber(random: Random): string {
  const shipper = Array.from({ length: 6 }, () => pick(random, [...ALNUM])).join('')
  const body = `${shipper}${pick(random, ['01', '02', '03', '12', '13', '42', '59', '66'])}${digits(random, 7)}`
  // UPS: letters become digits ((value - 2) mod 10 for A=10…), odd positions plus twice the even ones.
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string
    const value = /[0-9]/.test(c) ? Number(c) : (ALNUM.indexOf(c) - 2) % 10
    sum += i % 2 === 0 ? value : value * 2
  }
  return `1Z${body}${(10 - (sum % 10)) % 10}`
}

function fedex12(random: Random): string {
  const body = digits(random, 11)
  let sum = 0
  const weights = [1, 3, 7]
  for (let i = 0; i < 11; i++) sum += Number(body[10 - i]) * (weights[i % 3] as number)
  return `${body}${(sum % 11) % 10}`
}

function impb(random: Random, prefix: string, length: number): string {
  const body = prefix + digits(random, length - prefix.length - 1)
  return body + gs1Check(body)
}

function fedex20(random: Random): string {
  // The IMpb check digit is computed with the application identifier 92 in front, then dropped.
  const body = `61${digits(random, 17)}`
  return body + gs1Check(`92${body}`)
}

function dhl10(random: Random): string {
  const body = digits(random, 9)
  return body + (Number(body) % 7)
}

const PHONE_PLANS: readonly { code: string; groups: readonly number[][] }[] = [
  { code: '1', groups: [[3, 3, 4]] },
  {
    code: '44',
    groups: [
      [2, 4, 4],
      [4, 6],
    ],
  },
  {
    code: '49',
    groups: [
      [3, 8],
      [4, 7],
      [2, 8],
      [3, 4, 4],
    ],
  },
  { code: '33', groups: [[1, 2, 2, 2, 2]] },
  { code: '91', groups: [[5, 5]] },
  { code: '86', groups: [[3, 4, 4]] },
  { code: '81', groups: [[2, 4, 4]] },
  { code: '55', groups: [[2, 5, 4]] },
  {
    code: '62',
    groups: [
      [3, 4, 4],
      [3, 4, 5],
    ],
  },
  { code: '61', groups: [[1, 4, 4]] },
  {
    code: '39',
    groups: [
      [3, 3, 4],
      [2, 4, 5],
    ],
  },
  { code: '34', groups: [[3, 3, 3]] },
  { code: '52', groups: [[2, 4, 4]] },
  { code: '234', groups: [[3, 3, 4]] },
  { code: '7', groups: [[3, 3, 2, 2]] },
  {
    code: '43',
    groups: [
      [3, 3, 7],
      [3, 8],
    ],
  },
]

function phoneNumber(random: Random): string {
  const plan = pick(random, PHONE_PLANS)
  const groups = pick(random, plan.groups).map((size, i) =>
    // The national number does not start with 0.
    i === 0 ? String(int(random, 1, 9)) + digits(random, size - 1) : digits(random, size),
  )
  return random() < 0.5 ? `+${plan.code}${groups.join('')}` : `+${plan.code} ${groups.join(' ')}`
}

function hex(random: Random, count: number): string {
  return Array.from({ length: count }, () => int(random, 0, 15).toString(16)).join('')
}

function uuid(random: Random, version: 4 | 7): string {
  const time =
    version === 7
      ? int(random, Date.UTC(2024, 0, 1), Date.UTC(2027, 11, 31))
          .toString(16)
          .padStart(12, '0')
      : hex(random, 12)
  const variant = pick(random, ['8', '9', 'a', 'b'])
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-${version}${hex(random, 3)}-${variant}${hex(random, 3)}-${hex(random, 12)}`
}

function isbn13(random: Random): string {
  const prefix = pick(random, ['978', '979'])
  const group = pick(random, ['0', '1', '3', '2', '84', '88', '91'])
  const publisher = digits(random, int(random, 2, 5))
  const title = digits(random, 12 - prefix.length - group.length - publisher.length)
  const body = prefix + group + publisher + title
  const check = gs1Check(body)
  return random() < 0.5 ? `${body}${check}` : `${prefix}-${group}-${publisher}-${title}-${check}`
}

function ean13(random: Random): string {
  const country = random()
  const prefix =
    country < 0.5
      ? String(int(random, 400, 440)) // Germany
      : country < 0.6
        ? String(int(random, 500, 509)) // United Kingdom
        : pick(random, OTHER_EAN_PREFIXES)
  const body = prefix + digits(random, 12 - prefix.length)
  return body + gs1Check(body)
}

/** GS1 prefixes of 19 other countries (US and Canada 000–139, France 300–379, Japan 450–459…). */
const OTHER_EAN_PREFIXES =
  '000 001 030 050 073 300 350 450 540 560 590 640 690 729 760 800 840 871 930'.split(' ')

/** Each country's BBAN: digits (`n`) or capitals (`a`) or either (`c`), by count. */
const IBAN_FORMATS: Readonly<Record<string, string>> = {
  DE: '18n',
  GB: '4a14n',
  FR: '10n11c2n',
  NL: '4a10n',
  ES: '20n',
  IT: '1a10n12c',
  AT: '16n',
  BE: '12n',
  CH: '5n12c',
  PL: '24n',
}

function iban(random: Random): string {
  const country = pick(random, Object.keys(IBAN_FORMATS))
  let bban = ''
  for (const [, count, kind] of (IBAN_FORMATS[country] as string).matchAll(/(\d+)([anc])/g)) {
    for (let i = 0; i < Number(count); i++) {
      const letter = ALNUM[int(random, 10, 35)] as string
      bban +=
        kind === 'n'
          ? String(int(random, 0, 9))
          : kind === 'a'
            ? letter
            : random() < 0.8
              ? String(int(random, 0, 9))
              : letter
    }
  }
  // ISO 13616: move the country and 00 to the end, letters to 10…35, check digits are 98 - mod 97.
  const numeric = [...`${bban}${country}00`].map((c) => String(ALNUM.indexOf(c))).join('')
  let remainder = 0
  for (const c of numeric) remainder = (remainder * 10 + Number(c)) % 97
  const electronic = `${country}${String(98 - remainder).padStart(2, '0')}${bban}`
  return electronic.replace(/(.{4})(?=.)/g, '$1 ')
}

function orderNumber(random: Random): string {
  switch (int(random, 0, 4)) {
    case 0:
      return `ORD-${int(random, 2019, 2027)}-${digits(random, 6)}`
    case 1:
      return `#${int(random, 1001, 9_999_999)}`
    case 2:
      return `SO-${digits(random, 8)}`
    case 3:
      return `${pick(random, ['111', '112', '113', '114', '026', '701', '702'])}-${digits(random, 7)}-${digits(random, 7)}`
    default:
      return `${int(random, 2019, 2027)}${digits(random, 8)}`
  }
}

const GENERATORS: Readonly<Record<LookAlikeKind, (random: Random) => string>> = {
  'UPS 1Z': upsNumber,
  'FedEx 12': fedex12,
  'FedEx 15': (random) => impb(random, '', 15),
  'FedEx 20': fedex20,
  'FedEx 22': (random) => impb(random, '96', 22),
  'USPS 20': (random) => impb(random, pick(random, ['7', '0300', '0303', '2301']), 20),
  'USPS 22': (random) =>
    impb(random, pick(random, ['9400', '9205', '9407', '9270', '9303', '9505', '9361']), 22),
  'USPS 22 printed': (random) =>
    impb(random, pick(random, ['9400', '9205', '9407', '9270', '9303', '9505', '9361']), 22).replace(
      /(\d{4})(?=\d)/g,
      '$1 ',
    ),
  'DHL 10': dhl10,
  'E.164 phone': phoneNumber,
  'UUID v4': (random) => uuid(random, 4),
  'UUID v7': (random) => uuid(random, 7),
  'ISBN-13': isbn13,
  'EAN-13': ean13,
  IBAN: iban,
  'order number': orderNumber,
  'timestamp ms': (random) => String(int(random, Date.UTC(2001, 8, 9), Date.UTC(2033, 4, 18))),
}

/**
 * `count` look-alikes of `kind`, the same ones for the same `seed`.
 *
 * @example
 * ```ts
 * lookAlikes('E.164 phone', 3) // ['+49 1512 3456789', '+14155552671', …]
 * ```
 */
export function lookAlikes(kind: LookAlikeKind, count: number, seed = 20_261_201): string[] {
  const random = seededRandom(seed ^ hashKind(kind))
  const generate = GENERATORS[kind]
  return Array.from({ length: count }, () => generate(random))
}

function hashKind(kind: string): number {
  let hash = 2166136261
  for (let i = 0; i < kind.length; i++) hash = Math.imul(hash ^ kind.charCodeAt(i), 16777619)
  return hash >>> 0
}
