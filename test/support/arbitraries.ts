import fc from 'fast-check'
import { findCardData } from '../../src/card-data/guard.js'
import { COUNTRY_CODES } from '../../src/countries.js'
import type {
  AddressInput,
  CustomerAddressInput,
  CustomerInput,
  OrderInput,
  OrderItemInput,
  PaymentMethodInput,
} from '../../src/index.js'
import { CURRENCY_CODES } from '../../src/money.js'
import { issuedCardNumber } from './card-numbers.js'

/*
 * fast-check arbitraries of VALID store inputs, within every limit of src/customers/*.ts,
 * src/orders/order.ts and src/metadata.ts, with text that tends to break storage: astral-plane characters,
 * combining marks, quotes, backslashes and SQL metacharacters. Inputs holding card data (a Luhn-valid run
 * of 13–19 digits, a key such as `cvc`) are filtered out with the library's own guard: they are invalid.
 *
 * Text fields never get U+0000: PostgreSQL cannot store it in a text column, so the library refuses it
 * there (an invalid input, see invalid-inputs.ts); metadata and attributes, stored as JSON, may hold it.
 * Lone surrogates are not text and are not generated.
 */

const SPECIAL = [
  "'",
  '"',
  '\\',
  '\\\\',
  '%',
  '_',
  ';',
  '--',
  '/*',
  '*/',
  '`',
  '$1',
  '$$',
  '?',
  ':name',
  '\n',
  '\r\n',
  '\t',
  ' ',
  'NULL',
  "' OR '1'='1",
  '); drop table x; --',
  '😀',
  '𝒜',
  '👩‍💻',
  '🇬🇧',
  'e\u0301',
  'ß',
  'İ',
  'ﬃ',
  '\u200d',
  '\ufeff',
  '\u2028',
  '\u{10FFFF}',
  '中文',
  'עברית',
  '\u0000',
]

const noNul = (s: string) => !s.includes('\u0000')

/**
 * Text of 1 to `max` UTF-16 code units (the library's unit), kept exactly as given; with `nul`, U+0000
 * may appear.
 */
export function text(max: number, nul = false): fc.Arbitrary<string> {
  const short = Math.min(max, 16)
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: short }) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: short }) },
      {
        weight: 3,
        arbitrary: fc.string({ unit: fc.constantFrom(...SPECIAL), minLength: 1, maxLength: short }),
      },
      // Exactly at the limit, in one-unit and in two-unit (astral) characters.
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'x'.repeat(max),
          `${'𝒜'.repeat(Math.floor(max / 2))}${max % 2 ? 'z' : ''}`,
        ),
      },
    )
    .filter((s) => s.length >= 1 && s.length <= max && (nul || noNul(s)))
}

/**
 * A key compared for equality (payment-method provider and token): text without leading or trailing
 * whitespace, which MariaDB's PAD SPACE collation would ignore and the library therefore refuses.
 */
export function keyText(max: number): fc.Arbitrary<string> {
  return text(max).filter((s) => !/^\s|\s$/.test(s))
}

/** Absent, `null`, or text of 1 to `max`. `undefined` stands for absent; see {@link compact}. */
export function optionalText(max: number): fc.Arbitrary<string | null | undefined> {
  return fc.oneof(fc.constant(undefined), fc.constant(null), text(max))
}

/** A flat string map within `limits`, sometimes with keys that are special in JS objects. */
export function flatMap(limits: { keys: number; keyLength: number; valueLength: number }) {
  const key = fc.oneof(
    { weight: 4, arbitrary: text(limits.keyLength, true) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', '10'),
    },
  )
  const value = fc.oneof(fc.constant(''), fc.constant('\u0000'), text(limits.valueLength, true))
  return fc
    .uniqueArray(fc.tuple(key, value), { maxLength: Math.min(limits.keys, 4), selector: ([k]) => k })
    .map((entries): Record<string, string> => Object.fromEntries(entries))
}

const METADATA = { keys: 50, keyLength: 40, valueLength: 500 }
const ATTRIBUTES = { keys: 50, keyLength: 40, valueLength: 200 }

/** Absent, `null`, `{}` or a map. */
export function optionalMetadata() {
  return fc.oneof(fc.constant(undefined), fc.constant(null), flatMap(METADATA))
}

/** The part of an email the test does not make unique: `<local>@<domain>`, maybe padded with spaces. */
export const emailBody = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9_'+-]{1,24}$/),
    fc.constantFrom('example.com', 'Example.COM', 'mail.example.co.uk', 'xn--bcher-kva.example'),
    fc.constantFrom('', ' ', '\t'),
  )
  .map(([local, domain, pad]) => ({ local, domain, pad }))

/** A phone number as typed. */
export const phone = fc
  .tuple(
    fc.boolean(),
    fc.array(
      fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '(', ')', '.', '-', '/'),
      {
        maxLength: 24,
      },
    ),
    fc.integer({ min: 0, max: 9 }),
    fc.option(fc.integer({ min: 1, max: 99_999 }), { nil: undefined }),
  )
  .map(
    ([plus, chars, digit, ext]) =>
      `${plus ? '+' : ''}${chars.join('')}${digit}${ext === undefined ? '' : ` ext. ${ext}`}`,
  )
  .filter((p) => p.length <= 64)

const country = fc
  .tuple(fc.constantFrom(...COUNTRY_CODES), fc.boolean())
  .map(([code, lower]) => (lower ? code.toLowerCase() : code))

/** A postal address; `country` may come in lower case. */
export const address: fc.Arbitrary<AddressInput> = fc
  .record({
    name: text(200),
    company: optionalText(200),
    line1: text(200),
    line2: optionalText(200),
    city: text(200),
    region: optionalText(200),
    postalCode: optionalText(32),
    country,
    phone: fc.oneof(fc.constant(undefined), fc.constant(null), phone),
  })
  .map((a) => compact<AddressInput>(a))

/** A saved address with its default flags. */
export const customerAddress: fc.Arbitrary<CustomerAddressInput> = fc
  .tuple(address, fc.option(fc.boolean(), { nil: undefined }), fc.option(fc.boolean(), { nil: undefined }))
  .map(([a, shipping, billing]) =>
    compact<CustomerAddressInput>({ ...a, isDefaultShipping: shipping, isDefaultBilling: billing }),
  )

/** A customer without its email, which the test makes unique per run. */
export const customerFields: fc.Arbitrary<Omit<CustomerInput, 'email'>> = fc
  .record({
    name: optionalText(200),
    phone: fc.oneof(fc.constant(undefined), fc.constant(null), phone),
    metadata: optionalMetadata(),
  })
  .map((c) => compact<Omit<CustomerInput, 'email'>>(c))

/** A saved card: token and the details PCI DSS allows; two-digit years mean 20xx. */
export const paymentMethod: fc.Arbitrary<PaymentMethodInput> = fc
  .record({
    provider: keyText(64),
    token: keyText(255),
    brand: text(32),
    last4: fc.stringMatching(/^[0-9]{4}$/),
    expMonth: fc.integer({ min: 1, max: 12 }),
    expYear: fc.oneof(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1000, max: 9999 })),
    fingerprint: fc.oneof(fc.constant(undefined), fc.constant(null), text(255)),
    isDefault: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map((m) => compact<PaymentMethodInput>(m))

const item = (quantity: number, unitPrice: number) =>
  fc
    .record({
      sku: text(100),
      name: text(200),
      attributes: fc.oneof(fc.constant(undefined), fc.constant(null), flatMap(ATTRIBUTES)),
      productId: optionalText(100),
      variantId: optionalText(100),
      metadata: optionalMetadata(),
    })
    .map((fields) => compact<OrderItemInput>({ ...fields, quantity, unitPrice }))

interface Amounts {
  lines: Array<[quantity: number, unitPrice: number]>
  shippingTotal: number | undefined
  taxTotal: number | undefined
  discountTotal: number | undefined
}

/** Everyday amounts, zeros, and the edges: one unit at MAX_SAFE_INTEGER, a total of exactly MAX_SAFE_INTEGER. */
const amounts: fc.Arbitrary<Amounts> = fc.oneof(
  fc
    .record({
      lines: fc.array(
        fc.tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 10_000_000 })),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
      shipping: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
      tax: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }),
      discountShare: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
    })
    .map(({ lines, shipping, tax, discountShare }) => {
      const gross = lines.reduce((sum, [q, p]) => sum + q * p, 0) + (shipping ?? 0) + (tax ?? 0)
      const discount = discountShare === undefined ? undefined : Math.floor((gross * discountShare) / 100)
      return { lines, shippingTotal: shipping, taxTotal: tax, discountTotal: discount }
    }),
  fc.constant({
    lines: [[1, Number.MAX_SAFE_INTEGER]],
    shippingTotal: 0,
    taxTotal: 0,
    discountTotal: 0,
  } as Amounts),
  fc.constant({
    lines: [[1, 0]],
    shippingTotal: undefined,
    taxTotal: undefined,
    discountTotal: undefined,
  } as Amounts),
  fc.integer({ min: 0, max: 1_000_000 }).map(
    (s): Amounts => ({
      lines: [[1, Number.MAX_SAFE_INTEGER - s]],
      shippingTotal: s,
      taxTotal: 0,
      discountTotal: 0,
    }),
  ),
  fc.constant({ lines: [[1, 5]], shippingTotal: 0, taxTotal: 0, discountTotal: 5 } as Amounts),
)

/** An order without its buyer: the test adds `customerId` and/or `email`. */
export const orderFields: fc.Arbitrary<Omit<OrderInput, 'customerId' | 'email'>> = amounts.chain((a) =>
  fc
    .record({
      currency: fc.constantFrom(...CURRENCY_CODES),
      items: fc.tuple(...a.lines.map(([q, p]) => item(q, p))),
      shippingAddress: fc.oneof(fc.constant(undefined), fc.constant(null), address),
      billingAddress: fc.oneof(fc.constant(undefined), fc.constant(null), address),
      payment: fc.oneof(
        fc.constant(undefined),
        fc.constant(null),
        fc
          .record({
            provider: text(64),
            reference: text(255),
            brand: optionalText(32),
            last4: fc.oneof(fc.constant(undefined), fc.constant(null), fc.stringMatching(/^[0-9]{4}$/)),
          })
          .map((p) => compact<NonNullable<OrderInput['payment']>>(p)),
      ),
      note: optionalText(2000),
      metadata: optionalMetadata(),
    })
    .map((fields) =>
      compact<Omit<OrderInput, 'customerId' | 'email'>>({
        ...fields,
        items: [...fields.items],
        shippingTotal: a.shippingTotal,
        taxTotal: a.taxTotal,
        discountTotal: a.discountTotal,
      }),
    ),
)

/**
 * A card number of a real brand's prefix and length, Luhn-valid, as typed: plain, or in groups of four
 * split by spaces or dashes.
 */
export const cardNumber = fc
  .tuple(issuedCardNumber, fc.constantFrom('', ' ', '-'))
  .map(([number, separator]) => {
    const digits = number.join('')
    return { digits, typed: separator ? (digits.match(/.{1,4}/g) ?? []).join(separator) : digits }
  })

/** True when the input holds nothing the card-data guard rejects: such inputs are not valid. */
export function hasNoCardData(input: unknown): boolean {
  return findCardData(input).length === 0
}

/** Drops the `undefined` members, which stand for absent fields. */
export function compact<R>(value: object): R {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as R
}
