import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { containsCardNumber, findCardNumberRuns, luhnValid } from '../src/card-data/card-numbers.js'
import { digitValue, digitZeros, isSeparator } from '../src/card-data/characters.js'
import { assertNoCardData, findCardData } from '../src/card-data/guard.js'
import { CardDataRejectedError } from '../src/errors.js'
import {
  DIGIT_ZEROS,
  inScript,
  luhnCheckDigit,
  PUBLISHED_TEST_NUMBERS,
  SEPARATORS,
  typedCardNumber,
} from './support/card-numbers.js'

const CARD_NUMBER = /card number/

/** Runs the guard and returns its error, failing the test when it does not throw one. */
function rejection(input: unknown, rootPath?: string): CardDataRejectedError {
  try {
    assertNoCardData(input, rootPath)
  } catch (error) {
    expect(error).toBeInstanceOf(CardDataRejectedError)
    expect((error as CardDataRejectedError).code).toBe('CARD_DATA_REJECTED')
    return error as CardDataRejectedError
  }
  throw new Error('expected CardDataRejectedError')
}

/** Everything an error could leak through: the message, the stack, and the issues as serialised. */
function expectNotLeaked(error: CardDataRejectedError, secret: string): void {
  expect(error.message).not.toContain(secret)
  expect(error.stack ?? '').not.toContain(secret)
  expect(JSON.stringify(error.issues)).not.toContain(secret)
}

describe('luhnValid', () => {
  it.each([
    '4242424242424242',
    '4111111111111111',
    '378282246310005',
    '5555555555554444',
    '0',
    '79927398713',
  ])('accepts %s', (digits) => expect(luhnValid(digits)).toBe(true))

  it.each(['4242424242424241', '4111111111111112', '79927398710', '', '4242 4242 4242 4242', '42a2'])(
    'rejects %j',
    (digits) => expect(luhnValid(digits)).toBe(false),
  )

  it('agrees with an independent check-digit computation', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 30 }), (body) => {
        const valid = luhnCheckDigit(body)
        for (let digit = 0; digit <= 9; digit++) {
          expect(luhnValid(body.join('') + digit)).toBe(digit === valid)
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('digits and separators', () => {
  it("knows every decimal digit the engine's Unicode tables know, with its value", () => {
    const decimal = /^\p{Nd}$/u
    const zeros = [0x30, ...digitZeros]
    const wrong: string[] = []
    let digits = 0
    for (let code = 0; code < 0x20000; code++) {
      if (code >= 0xd800 && code < 0xe000) continue
      let expected = -1
      if (decimal.test(String.fromCodePoint(code))) {
        digits++
        // Unicode puts each script's 0–9 on consecutive code points: the value is the distance from 0.
        expected = code - Math.max(...zeros.filter((zero) => zero <= code))
      }
      if (digitValue(code) !== expected) wrong.push(`U+${code.toString(16)}`)
    }
    expect(wrong).toEqual([])
    expect(digits).toBeGreaterThanOrEqual(650)
  })

  it.each(SEPARATORS.filter((s) => s.length === 1))('treats U+%s as a separator', (separator) => {
    expect(isSeparator(separator.codePointAt(0) as number)).toBe(true)
  })
})

describe('findCardNumberRuns', () => {
  it.each(PUBLISHED_TEST_NUMBERS)('finds the published test number %s, plain and in groups', (number) => {
    expect(containsCardNumber(number)).toBe(true)
    expect(containsCardNumber(`pay with ${number.replace(/(\d{4})(?=\d)/g, '$1 ')} please`)).toBe(true)
  })

  it('finds each stretch that starts and ends at a group boundary, separators included', () => {
    const text = 'card 4242 4242 4242 4242 01/30, again 4111-1111-1111-1111.'
    const runs = findCardNumberRuns(text)
    expect(runs.map((run) => text.slice(run.start, run.end))).toEqual([
      '4242 4242 4242 4242',
      '4111-1111-1111-1111',
    ])
  })

  it.each([
    ['card number and expiry', 'card 4242 4242 4242 4242 01/30'],
    ['card number, expiry and CVC', '4242 4242 4242 4242 12/29 123'],
    ['card number and CVC', '4242 4242 4242 4242 123'],
    ['a digit before', '1 4242424242424242'],
    ['a phone number before', 'call +1 415 555 2671 4242-4242-4242-4242'],
    ['a phone number after', '5555 5555 5555 4444 +44 20 7946 0958'],
    ['an order number around', 'order 1001 378282246310005 1002'],
    ['letters around', 'x4242424242424242y'],
    ['Amex grouped 4-6-5', '3782 822463 10005'],
    ['CR LF between groups', '4242\r\n4242\r\n4242\r\n4242'],
    ['full-width digits', '４２４２ ４２４２ ４２４２ ４２４２'],
    ['Arabic-Indic digits', '٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢'],
    ['Devanagari digits', '४२४२-४२४२-४२४२-४२४२'],
    ['mathematical digits', '𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐𝟒𝟐'],
  ])('finds a card number with %s', (_, text) => {
    const error = rejection({ note: text })
    expect(error.issues).toEqual([{ path: 'note', message: expect.stringMatching(CARD_NUMBER) }])
    expectNotLeaked(error, text)
  })

  it.each(SEPARATORS)('finds a card number with %j between its groups', (separator) => {
    expect(containsCardNumber(['4242', '4242', '4242', '4242'].join(separator))).toBe(true)
    expect(containsCardNumber(`exp 01${separator}30 ${[...'4111111111111111'].join(separator)}`)).toBe(true)
  })

  it('never cuts a stretch out of the middle of a group, or past 19 digits', () => {
    expect(findCardNumberRuns('12344242424242424242')).toEqual([]) // 20 digits holding 4242424242424242
    expect(findCardNumberRuns('9400111899223344556677')).toEqual([]) // a USPS tracking number
    expect(findCardNumberRuns('12 4242424242424242424 34')).toEqual([]) // a 19-digit group that fails Luhn
  })

  it('needs a brand: Luhn-valid stretches with no issuer prefix or the wrong length pass', () => {
    expect(luhnValid('1234567812345670')).toBe(true)
    expect(containsCardNumber('1234567812345670')).toBe(false) // no brand starts with 1
    expect(luhnValid('4000000000006')).toBe(true)
    expect(containsCardNumber('4000000000006')).toBe(false) // Visa's 13 digits: German EAN-13 look the same
    expect(luhnValid('37828224631000')).toBe(false)
    expect(containsCardNumber('3782822463100005')).toBe(false) // American Express has 15 digits
  })

  it('is linear: a 10 MB string of 13-digit groups is judged, not a stack overflow', () => {
    const text = '4242424242424 '.repeat(750_000)
    expect(text.length).toBeGreaterThan(10_000_000)
    expect(findCardData({ note: text })).toEqual([])
    // The same with a card number at its very end is found.
    expect(containsCardNumber(`${text}4242 4242 4242 4242`)).toBe(true)
  })
})

describe('assertNoCardData', () => {
  it.each([
    'pm_1Q2w3E',
    'tok_visa',
    'pi_3NkQ2w3E4r5T6y7U8i9O0p',
    '+44 20 7946 0958',
    '978-3-16-148410-0',
    '4006381333931', // a German EAN-13 barcode
    'ORD-2024-000123',
    '4242',
    '12344242424242424242',
    '4242 4242 4242 4241', // Luhn fails
    '2024-06-01T12:34:56.789Z',
    '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    '019a159f-c556-7541-8046-85417dbbf911', // a UUIDv7 whose digit groups form a Luhn-valid Maestro stretch
    'DE89 3704 0044 0532 0130 00', // an IBAN, printed
    'FR76 3000 4000 0312 3456 7890 143', // an IBAN whose bank code 30004 looks like Diners Club
    '9400 1000 0000 0000 0000 00', // a USPS barcode as printed
    '1733011200000', // a timestamp in milliseconds
  ])('accepts %j', (value) => {
    expect(() => assertNoCardData({ metadata: { note: value } })).not.toThrow()
    expect(() => assertNoCardData({ metadata: { note: `ref ${value}, thanks` } })).not.toThrow()
  })

  it('still finds a card number next to an exempt identifier, or in one whose check fails', () => {
    expect(containsCardNumber('019a159f-c556-7541-8046-85417dbbf911 4242 4242 4242 4242')).toBe(true)
    expect(containsCardNumber('DE89 3704 0044 0532 0130 00 4242 4242 4242 4242')).toBe(true)
    expect(containsCardNumber('DE00 4242 4242 4242 4242 00')).toBe(true) // not a valid IBAN
    expect(containsCardNumber('019a159f-c556-7541-8046-85417dbbf911'.replaceAll('-', ' '))).toBe(true)
  })

  it('accepts a realistic order, and ignores numbers, booleans, null and dates', () => {
    const order = {
      customerId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      currency: 'USD',
      items: [
        { sku: 'TEE-BLUE-M', name: 'Blue tee', attributes: { size: 'M' }, quantity: 2, unitPrice: 1999 },
      ],
      shippingAddress: {
        name: 'Ada Lovelace',
        line1: '12 St James Sq',
        postalCode: 'SW1Y 4JH',
        country: 'GB',
      },
      payment: { provider: 'stripe', reference: 'pi_3N', brand: 'visa', last4: '4242', expMonth: 12 },
      metadata: { gift: true, coupon: null, at: new Date(), count: 4242, big: 2 ** 53, fraction: 0.5 },
    }
    expect(findCardData(order)).toEqual([])
    expect(findCardData({ unitPrice: 4242424242424242, n: 378282246310005n })).toEqual([])
  })

  it('reports dotted paths into objects and arrays, prefixed with rootPath', () => {
    const input = {
      items: [{ name: 'ok' }, { name: 'tee 4242424242424242' }],
      metadata: { note: '378282246310005' },
    }
    expect(rejection(input).issues.map((issue) => issue.path)).toEqual(['items.1.name', 'metadata.note'])
    expect(rejection(input.metadata, 'metadata').issues.map((issue) => issue.path)).toEqual(['metadata.note'])
    expect(rejection('4242424242424242', 'payment.reference').issues[0]?.path).toBe('payment.reference')
  })

  it('rejects a field name that is a card number without putting it in the path', () => {
    const error = rejection({
      metadata: { '4242 4242 4242 4242': 'x', nested: { '4111111111111111': { a: 1 } } },
    })
    expect(error.issues).toEqual([
      { path: 'metadata.[redacted]', message: expect.stringMatching(CARD_NUMBER) },
      { path: 'metadata.nested.[redacted]', message: expect.stringMatching(CARD_NUMBER) },
    ])
    expectNotLeaked(error, '4242 4242 4242 4242')
    expectNotLeaked(error, '4111111111111111')
  })

  it('survives cycles and still finds card data inside them', () => {
    const a: Record<string, unknown> = { name: 'a' }
    const b: Record<string, unknown> = { a, note: '4242424242424242' }
    a.b = b
    a.self = a
    expect(rejection(a).issues.map((issue) => issue.path)).toEqual(['b.note'])
  })
})

describe('sensitive field names', () => {
  it.each([
    ...'cvc CVC cvv CVV2 cvc2 cid csc cvn cav2 pin PIN_block pan card_number Card-Number cardNumber'.split(
      ' ',
    ),
    ...'creditCardNumber securityCode track_2 track1 trackData magStripe'.split(' '),
    ...'card_cvc cvvCode cc_cvv cardCvc cvv_number securityCode2 pin_code pinCode ccnum cc_num cardNumber1'.split(
      ' ',
    ),
    ...'CVVCode card-no primary_account_number cardVerificationValue'.split(' '),
    'card number',
    '\u0441vv', // Cyrillic es
    '\uff43\uff56\uff56', // full-width
    '\u0440in', // Cyrillic er
    'c\u200bvv', // zero-width space inside
    'c\u0301vv', // an accent
    '𝐜𝐯𝐯', // mathematical bold
    'ΡΙΝ', // Greek capitals
  ])('rejects the field name %j whatever its value', (key) => {
    for (const value of ['x', 123, null, true, {}]) {
      expect(rejection({ metadata: { [key]: value } }).issues).toEqual([
        { path: `metadata.${key}`, message: expect.stringMatching(/names sensitive card data/) },
      ])
    }
  })

  it.each([
    ...'shipping spinner pandemic company cidr pinned panel card cardBrand last4 number cardholder'.split(
      ' ',
    ),
    ...'pincode giftCardCode verificationCode spin_count expansion accidental tracking trackingNumber'.split(
      ' ',
    ),
    ...'cardType cardExpiry securityQuestion PANTONE_color'.split(' '),
  ])('accepts the field name %j', (key) => expect(findCardData({ [key]: 'x' })).toEqual([]))
})

describe('assertNoCardData, properties', () => {
  // Text around the number has no digits or separators, so the number's groups are its own.
  const text = fc.stringMatching(/^[A-Za-z,:;()#]{0,12}$/)
  // Field names start with k, so none is a card-data name such as `pin`.
  const key = fc.stringMatching(/^k[a-z]{0,6}$/)
  const path = fc.array(fc.oneof(key, fc.nat({ max: 3 })), { maxLength: 6 })
  const extra = fc.constantFrom('', ' 01/30', ' 12/2029', ' 123', ' 01/30 123', ' exp 0130 cvc 1234')
  const before = fc.constantFrom('', '1 ', '+1 415 555 2671 ', '+44 20 7946 0958, ', 'order 1001 ')

  /** Places `leaf` at `path` inside objects and arrays padded with harmless siblings. */
  function place(path: readonly (string | number)[], leaf: string, sibling: string): unknown {
    let value: unknown = leaf
    for (let i = path.length - 1; i >= 0; i--) {
      const segment = path[i]
      if (typeof segment === 'number') {
        const array: unknown[] = Array.from({ length: segment + 2 }, () => sibling)
        array[segment] = value
        value = array
      } else {
        value = { before: sibling, [segment ?? 'k']: value, after: { note: sibling } }
      }
    }
    return value
  }

  it('finds every issued card number, typed with any separators and digits, with what people put around it', () => {
    fc.assert(
      fc.property(
        fc.record({ card: typedCardNumber, prefix: text, suffix: text, before, extra, path, sibling: text }),
        ({ card, prefix, suffix, before, extra, path, sibling }) => {
          const written = `${prefix} ${before}${card.typed}${extra} ${suffix}`
          const error = rejection(place(path, written, sibling))
          expect(error.issues).toEqual([
            { path: path.join('.'), message: expect.stringMatching(CARD_NUMBER) },
          ])
          expectNotLeaked(error, card.digits)
          expectNotLeaked(error, card.typed)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('passes the same numbers with a wrong check digit', () => {
    fc.assert(
      fc.property(typedCardNumber, fc.integer({ min: 1, max: 9 }), text, (card, off, around) => {
        // Change the last digit, in whatever script it is written; no separators, so that no shorter
        // stretch of the number is judged on its own (one may be a card number by chance).
        const written = [...card.typed].filter((c) => digitValue(c.codePointAt(0) as number) >= 0)
        const last = (written.at(-1) as string).codePointAt(0) as number
        const value = digitValue(last)
        const typed =
          written.slice(0, -1).join('') + String.fromCodePoint(last - value + ((value + off) % 10))
        expect(findCardData({ note: `${around} ${typed} ${around}` })).toEqual([])
      }),
      { numRuns: 500 },
    )
  })

  it('finds card numbers in every script it knows', () => {
    for (const zero of Object.values(DIGIT_ZEROS)) {
      expect(containsCardNumber(inScript([...'4242424242424242'].map(Number), zero).join(''))).toBe(true)
    }
  })
})
