import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  assertNoCardData,
  containsCardNumber,
  findCardData,
  findCardNumberRuns,
  luhnValid,
} from '../src/card-data.js'
import { CardDataRejectedError } from '../src/errors.js'

const CARD_NUMBER = /card number/
const SENSITIVE_NAME = /names sensitive card data/

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

/** The Luhn check digit that makes `body + digit` valid, computed independently of the source. */
function checkDigit(body: readonly number[]): number {
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    // Counting from the right of the final number, the check digit is position 1: body's last digit is doubled.
    const digit = body[body.length - 1 - i] ?? 0
    const weighted = i % 2 === 0 ? digit * 2 : digit
    sum += weighted > 9 ? weighted - 9 : weighted
  }
  return (10 - (sum % 10)) % 10
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
        const valid = checkDigit(body)
        for (let digit = 0; digit <= 9; digit++) {
          expect(luhnValid(body.join('') + digit)).toBe(digit === valid)
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('findCardNumberRuns', () => {
  it('finds maximal runs with single spaces or dashes, separators included', () => {
    const text = 'card 4242 4242 4242 4242, again 4111-1111-1111-1111.'
    const runs = findCardNumberRuns(text)
    expect(runs.map((run) => text.slice(run.start, run.end))).toEqual([
      '4242 4242 4242 4242',
      '4111-1111-1111-1111',
    ])
  })

  it('judges only the maximal run', () => {
    expect(findCardNumberRuns('1234424242424242424')).toEqual([]) // 19 digits, the last 16 a card, fails Luhn
    expect(findCardNumberRuns('12344242424242424242')).toEqual([]) // 20 digits
    expect(findCardNumberRuns('12 4242 4242 4242 4242 34')).toEqual([]) // 20 digits in one run
    expect(findCardNumberRuns('4242 4242 4242 4242  1234')).toHaveLength(1) // two spaces end the run
    expect(findCardNumberRuns('4242-4242-4242-4242 - 1234')).toHaveLength(1)
    expect(findCardNumberRuns('4242 4242 4242 4242-')).toHaveLength(1)
  })
})

describe('assertNoCardData', () => {
  it.each([
    'pm_1Q2w3E',
    'tok_visa',
    'pi_3NkQ2w3E4r5T6y7U8i9O0p',
    '+44 20 7946 0958',
    '978-3-16-148410-0', // ISBN-13: 13 digits in one run, not Luhn-valid
    'ORD-2024-000123',
    'order 1001',
    '4242',
    '12344242424242424242', // 20 digits containing the card 4242424242424242
    '42424242424242424242', // 20 digits, Luhn-valid as a whole too
    '4242 4242 4242 4241', // Luhn fails
    '2024-06-01T12:34:56.789Z',
    '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  ])('accepts %j', (value) => {
    expect(() => assertNoCardData(value)).not.toThrow()
    expect(() => assertNoCardData({ metadata: { note: value } })).not.toThrow()
    expect(containsCardNumber(value)).toBe(false)
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
  })

  it.each([
    '4242 4242 4242 4242',
    '4111-1111-1111-1111',
    '378282246310005',
    'please charge 5555555555554444 thanks',
  ])('rejects the string %j at the root, without repeating it', (value) => {
    const error = rejection(value)
    expect(error.issues).toEqual([{ path: '', message: expect.stringMatching(CARD_NUMBER) }])
    expectNotLeaked(error, value.replace(/\D/g, ''))
    expectNotLeaked(error, value)
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

  it('leaves numbers alone: a 16-digit amount is money, not a card number', () => {
    expect(findCardData({ unitPrice: 4242424242424242, quantity: 1, n: 378282246310005n })).toEqual([])
    expect(luhnValid(String(Number.MAX_SAFE_INTEGER))).toBeTypeOf('boolean')
  })

  // Lowercased and stripped to [a-z0-9], each of these is a card-data name.
  const sensitiveKeys = [
    ...'cvc CVC cvv CVV2 cvc2 cid pin PIN_block pan card_number Card-Number cardNumber'.split(' '),
    ...'creditCardNumber securityCode track_2 magStripe'.split(' '),
  ]
  it.each([...sensitiveKeys, 'card number'])('rejects the field name %j whatever its value', (key) => {
    for (const value of ['x', 123, null, true, {}]) {
      expect(rejection({ metadata: { [key]: value } }).issues).toEqual([
        { path: `metadata.${key}`, message: expect.stringMatching(SENSITIVE_NAME) },
      ])
    }
  })

  it.each(['cvcNote', 'pinned', 'panel', 'card', 'cardBrand', 'last4', 'number', 'cvvProvided', 'pincode'])(
    'accepts the field name %j',
    (key) => expect(findCardData({ [key]: 'x' })).toEqual([]),
  )

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

  it('searches 32 levels deep and leaves deeper input to validation', () => {
    const nested = (levels: number): unknown => {
      let value: unknown = '4242424242424242'
      for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { a: value } : [value]
      return value
    }
    expect(findCardData(nested(32))).toHaveLength(1)
    expect(findCardData(nested(33))).toEqual([])
  })

  it('checks a 1000-line order quickly', () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({
      sku: `TEE-${i}`,
      name: `Blue tee, size M, order line number ${i} of a large wholesale order 2024-06-01`,
      attributes: { size: 'M', color: 'blue', note: 'customer phone +44 20 7946 0958' },
      quantity: 2,
      unitPrice: 1999,
    }))
    const started = performance.now()
    for (let round = 0; round < 10; round++) expect(findCardData({ items })).toEqual([])
    // About 1 ms per round; the bound only catches something pathological (a regex that backtracks).
    expect(performance.now() - started).toBeLessThan(1000)
    expect(containsCardNumber('1 '.repeat(100_000))).toBe(false)
  })
})

describe('assertNoCardData, properties', () => {
  const digits = (min: number, max: number) =>
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max })
  // A separator between every two digits: none most of the time, else one space or one dash.
  const separators = fc.array(fc.constantFrom('', '', '', ' ', '-'), { minLength: 30, maxLength: 30 })
  const withSeparators = (number: readonly number[], between: readonly string[]): string =>
    number.map((digit, i) => (i === 0 ? '' : (between[i] ?? '')) + digit).join('')

  // Text around the number has no digits, so the run stays maximal.
  const text = fc.stringMatching(/^[A-Za-z .,:;_()#/]{0,12}$/)
  // Field names start with k, so none normalises to a card-data name such as `pin`.
  const key = fc.stringMatching(/^k[a-zA-Z_]{0,6}$/)
  const path = fc.array(fc.oneof(key, fc.nat({ max: 3 })), { maxLength: 6 })

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

  const card = fc.record({
    body: digits(12, 18),
    between: separators,
    prefix: text,
    suffix: text,
    path,
    sibling: text,
  })

  it('rejects a Luhn-valid 13–19 digit number anywhere, with its path, never repeating it', () => {
    fc.assert(
      fc.property(card, ({ body, between, prefix, suffix, path, sibling }) => {
        const number = [...body, checkDigit(body)]
        const written = withSeparators(number, between)
        const error = rejection(place(path, prefix + written + suffix, sibling))
        expect(error.issues).toEqual([{ path: path.join('.'), message: expect.stringMatching(CARD_NUMBER) }])
        expectNotLeaked(error, number.join(''))
        expectNotLeaked(error, written)
      }),
      { numRuns: 500 },
    )
  })

  it('accepts the same numbers with a wrong check digit', () => {
    fc.assert(
      fc.property(
        card,
        fc.integer({ min: 1, max: 9 }),
        ({ body, between, prefix, suffix, path, sibling }, off) => {
          const number = [...body, (checkDigit(body) + off) % 10]
          const input = place(path, prefix + withSeparators(number, between) + suffix, sibling)
          expect(findCardData(input)).toEqual([])
        },
      ),
      { numRuns: 500 },
    )
  })

  it('accepts a run of 20 or more digits, even when it and a 13–19 digit part of it pass Luhn', () => {
    fc.assert(
      fc.property(card, digits(0, 6), digits(0, 5), ({ body, between, prefix, suffix }, before, after) => {
        const number = [...body, checkDigit(body)]
        const rest = [...before, ...number, ...after]
        const whole = [...rest, checkDigit(rest)]
        fc.pre(whole.length >= 20)
        expect(luhnValid(whole.join(''))).toBe(true)
        expect(findCardData({ note: prefix + withSeparators(whole, between) + suffix })).toEqual([])
      }),
      { numRuns: 300 },
    )
  })

  it('accepts Luhn-valid 13–16 digit numbers in number fields: amounts are money, not card data', () => {
    fc.assert(
      fc.property(digits(12, 15), fc.integer({ min: 1, max: 9 }), (rest, first) => {
        const body = [first, ...rest] // no leading zero, so the number has every digit
        const number = Number([...body, checkDigit(body)].join(''))
        fc.pre(Number.isSafeInteger(number))
        expect(findCardData({ unitPrice: number })).toEqual([])
        // The same digits as text are refused.
        expect(rejection({ note: String(number) }).issues).toEqual([
          { path: 'note', message: expect.stringMatching(CARD_NUMBER) },
        ])
      }),
      { numRuns: 300 },
    )
  })
})

describe('assertNoCardData and ids', () => {
  it('passes canonical UUIDs, whose dash-joined digit groups can form a Luhn-valid run', () => {
    // Found by the orders suite: about one UUIDv7 in 160 holds such a run across its dashes.
    const id = '0190a4d2-7c3e-7b1a-a515-78663379173c'
    expect(containsCardNumber(id.replace(/-/g, ' '))).toBe(true)
    expect(findCardData({ id, customerId: id, idempotencyKey: id })).toEqual([])
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        expect(findCardData({ id: uuid })).toEqual([])
      }),
      { numRuns: 2000 },
    )
  })

  it('still searches a UUID-like string with a card number inside or around it', () => {
    expect(
      rejection({ note: '0190a4d2-7c3e-7b1a-a515-78663379173c 4242 4242 4242 4242' }).issues,
    ).toHaveLength(1)
  })
})
