import fc from 'fast-check'
import type { Customer } from '../../src/index.js'
import {
  address,
  cardNumber,
  customerFields,
  hasNoCardData,
  orderFields,
  paymentMethod,
} from './arbitraries.js'

/*
 * Arbitraries of INVALID inputs: a valid input with one thing broken (a wrong type, a number out of range,
 * a string too long, a required field missing, an unknown key), and valid inputs with card data injected.
 */

type Input = Record<string, unknown>
type Mutation = (input: Input) => unknown

const set =
  (key: string, value: unknown): Mutation =>
  (input) => ({ ...input, [key]: value })
const drop =
  (key: string): Mutation =>
  ({ [key]: _dropped, ...rest }) =>
    rest
const replaceWith =
  (value: unknown): Mutation =>
  () =>
    value

const WRONG_TYPES = [42, true, {}, [], null] as const
const notAString = fc.constantFrom<unknown>(...WRONG_TYPES)
const tooLong = (max: number) => fc.integer({ min: max + 1, max: max + 300 }).map((n) => 'x'.repeat(n))

/** A mutation of one field: wrong type, too long, empty, or each of `bad`. */
function breakText(key: string, max: number, nullable: boolean, ...bad: unknown[]) {
  return fc
    .oneof(
      notAString.filter((v) => !(nullable && v === null)),
      tooLong(max),
      // NUL: PostgreSQL cannot store it in text, so no dialect takes it.
      fc.constantFrom<unknown>('', 'nul\u0000', ...bad),
    )
    .map((value) => set(key, value))
}

const badMetadata = fc.constantFrom<unknown>(
  'a string',
  42,
  [],
  [['k', 'v']],
  { nested: { a: 'b' } },
  { n: 1 },
  { n: null },
  { ['k'.repeat(41)]: 'v' },
  { '': 'v' },
  { v: 'v'.repeat(501) },
  Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
  new Date(0),
  new Map([['k', 'v']]),
)

const unknownKey = fc
  .tuple(
    fc.constantFrom('extra', 'Email', 'id', 'version', 'createdAt', 'status', 'total'),
    fc.anything().filter((v) => v !== undefined),
  )
  .map(([key, value]) => set(key, value))

const notAnObject = fc
  .constantFrom<unknown>(null, undefined, 'ada@example.com', 42, [], true)
  .map(replaceWith)

const customerMutations = fc.oneof(
  unknownKey,
  notAnObject,
  fc.constant(drop('email')),
  fc
    .constantFrom<unknown>(
      ...WRONG_TYPES,
      '',
      'no-at-sign',
      'a@',
      '@example.com',
      'a b@example.com',
      'a@b',
      `${'x'.repeat(320)}@example.com`,
    )
    .map((v) => set('email', v)),
  breakText('name', 200, true),
  breakText('phone', 64, true, 'call me', '+', '++44', '12a34'),
  badMetadata.map((v) => set('metadata', v)),
)

// An order's addresses are optional, so null or undefined there is valid: only other non-objects break it.
const notAnObjectWhenOptional = fc.constantFrom<unknown>('ada@example.com', 42, [], true).map(replaceWith)

const addressFieldMutations = [
  fc.constantFrom('name', 'line1', 'city', 'country').map(drop),
  breakText('name', 200, false),
  breakText('line1', 200, false),
  breakText('city', 200, false),
  breakText('company', 200, true),
  breakText('postalCode', 32, true),
  fc.constantFrom<unknown>('UK', 'XX', 'EU', 'GBR', 'G', '', 42, null).map((v) => set('country', v)),
  fc.constantFrom<unknown>('yes', 1, null).map((v) => set('isDefaultShipping', v)),
] as const

const addressMutations = fc.oneof(unknownKey, notAnObject, ...addressFieldMutations)
const orderAddressMutations = fc.oneof(unknownKey, notAnObjectWhenOptional, ...addressFieldMutations)

const cardMutations = fc.oneof(
  unknownKey,
  notAnObject,
  fc.constantFrom('provider', 'token', 'brand', 'last4', 'expMonth', 'expYear').map(drop),
  breakText('provider', 64, false),
  breakText('token', 255, false),
  breakText('brand', 32, false),
  fc.constantFrom<unknown>('424', '42424', 'abcd', 4242, '', null).map((v) => set('last4', v)),
  fc.constantFrom<unknown>(0, 13, -1, 1.5, '12', Number.NaN, null).map((v) => set('expMonth', v)),
  fc
    .constantFrom<unknown>(100, 999, 10_000, -1, 20.5, '2030', Number.POSITIVE_INFINITY)
    .map((v) => set('expYear', v)),
  fc.constantFrom<unknown>('', 'f'.repeat(256), 42).map((v) => set('fingerprint', v)),
)

/** An invalid input to customers.create, addAddress or addPaymentMethod. */
export const invalidCustomer = fc.oneof(
  fc.tuple(customerFields, customerMutations).map(([fields, mutate]) => ({
    method: 'create' as const,
    input: mutate({ ...fields, email: 'valid@example.com' }),
  })),
  fc
    .tuple(address, addressMutations)
    .map(([a, mutate]) => ({ method: 'addAddress' as const, input: mutate({ ...a }) })),
  fc
    .tuple(paymentMethod, cardMutations)
    .map(([m, mutate]) => ({ method: 'addPaymentMethod' as const, input: mutate({ ...m }) })),
)

const MAX = Number.MAX_SAFE_INTEGER

/** A mutation of the first order line. */
const itemMutations = fc
  .oneof(
    unknownKey,
    fc.constantFrom('sku', 'name', 'quantity', 'unitPrice').map(drop),
    fc
      .constantFrom<unknown>(0, -1, 1.5, 10_001, Number.NaN, Number.POSITIVE_INFINITY, '2', null)
      .map((v) => set('quantity', v)),
    fc
      .constantFrom<unknown>(-1, 0.5, MAX + 1, 2 ** 60, '1999', Number.NaN, null)
      .map((v) => set('unitPrice', v)),
    breakText('sku', 100, false),
    breakText('name', 200, false),
    breakText('productId', 100, true),
    fc
      .constantFrom<unknown>(
        'M',
        { size: { label: 'M' } },
        { size: 1 },
        { ['k'.repeat(41)]: 'v' },
        { size: 'v'.repeat(201) },
        Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
      )
      .map((v) => set('attributes', v)),
    badMetadata.map((v) => set('metadata', v)),
  )
  .map(
    (mutate): Mutation =>
      (order) => {
        const [first, ...rest] = order.items as Input[]
        return { ...order, items: [mutate(first ?? {}), ...rest] }
      },
  )

const amount = fc.constantFrom<unknown>(-1, 0.5, MAX + 1, '5', null, Number.NaN)

const orderMutations = fc.oneof(
  unknownKey,
  notAnObject,
  itemMutations,
  fc.constantFrom<unknown>('usdd', 'US', 'USDD', '', 'ZZZ', 42, null).map((v) => set('currency', v)),
  fc
    .constantFrom<unknown>(
      [],
      'items',
      null,
      [null],
      Array.from({ length: 1001 }, () => ({ sku: 's', name: 'n', quantity: 1, unitPrice: 1 })),
    )
    .map((v) => set('items', v)),
  fc.tuple(fc.constantFrom('shippingTotal', 'taxTotal', 'discountTotal'), amount).map(([k, v]) => set(k, v)),
  // Amounts each valid whose sums are not: a discount past the total, totals past MAX_SAFE_INTEGER.
  fc.constant<Mutation>((o) => ({
    ...o,
    items: [{ sku: 's', name: 'n', quantity: 1, unitPrice: 10 }],
    shippingTotal: 0,
    taxTotal: 0,
    discountTotal: 11,
  })),
  fc.constant<Mutation>((o) => ({
    ...o,
    items: [{ sku: 's', name: 'n', quantity: 10_000, unitPrice: MAX }],
  })),
  fc.constant<Mutation>((o) => ({
    ...o,
    items: [
      { sku: 's', name: 'n', quantity: 1, unitPrice: MAX },
      { sku: 't', name: 'n', quantity: 1, unitPrice: 1 },
    ],
  })),
  fc.constant<Mutation>((o) => ({
    ...o,
    items: [{ sku: 's', name: 'n', quantity: 1, unitPrice: MAX }],
    shippingTotal: 1,
    taxTotal: 0,
    discountTotal: 0,
  })),
  fc.constant(drop('email')),
  fc.constantFrom<unknown>('nope', 'a@', 42).map((v) => set('email', v)),
  fc.constantFrom<unknown>('', 'x'.repeat(37), 42).map((v) => set('customerId', v)),
  fc
    .tuple(fc.constantFrom('shippingAddress', 'billingAddress'), address, orderAddressMutations)
    .map(([key, a, mutate]) => set(key, mutate({ ...a }))),
  fc
    .constantFrom<unknown>(
      { provider: 'stripe' },
      { provider: 'stripe', reference: 'pi_1', last4: '123' },
      { provider: '', reference: 'pi_1' },
      { provider: 'stripe', reference: 'pi_1', extra: 1 },
      'pi_1',
    )
    .map((v) => set('payment', v)),
  breakText('note', 2000, true),
  badMetadata.map((v) => set('metadata', v)),
)

const optionMutations = fc.constantFrom<unknown>(
  { idempotencyKey: '' },
  { idempotencyKey: 'k'.repeat(256) },
  { idempotencyKey: 42 },
  { retry: true },
  'key',
)

const guest = orderFields.map((fields) => ({ ...fields, email: 'guest@example.com' }) as Input)

/** An invalid input to orders.create: a broken order, or a valid order with broken options. */
export const invalidOrder = fc.oneof(
  fc
    .tuple(guest, orderMutations)
    .map(([order, mutate]) => ({ input: mutate(order), options: undefined as unknown })),
  fc.tuple(guest, optionMutations).map(([order, options]) => ({ input: order as unknown, options })),
)

/** Every path to a string inside `value`. */
function stringPaths(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value === 'string') return [path]
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...path, i]))
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...path, k]))
  }
  return []
}

/** A deep copy of `value` with the string at `path` replaced. */
function replaceAt(value: unknown, path: ReadonlyArray<string | number>, replacement: string): unknown {
  if (path.length === 0) return replacement
  const [head, ...rest] = path as [string | number, ...Array<string | number>]
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v))
  const record = value as Record<string, unknown>
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => [k, k === head ? replaceAt(v, rest, replacement) : v]),
  )
}

const SENSITIVE_KEYS = [
  'cvc',
  'CVV',
  'cvv2',
  'card_number',
  'Card-Number',
  'cardNumber',
  'pan',
  'PIN',
  'track2',
  'securityCode',
]

/**
 * A valid customer, card or order with card data put somewhere: a card number in one of its strings, a
 * field named like card data in its metadata or attributes, or a card number as a metadata key.
 */
export function withCardData(buyer: Customer) {
  const customer = customerFields.map((f) => ({ ...f, email: 'card@example.com' }) as Input)
  const order = orderFields.map((f) => ({ ...f, customerId: buyer.id }) as Input)
  const card = paymentMethod.map((m) => ({ ...m }) as Input)
  const target = fc.oneof(
    customer.map((input) => ({ method: 'customer' as const, input })),
    card.map((input) => ({ method: 'card' as const, input })),
    order.map((input) => ({ method: 'order' as const, input })),
  )
  return fc
    .tuple(
      target.filter(({ input }) => hasNoCardData(input)),
      cardNumber,
      fc.nat(),
      fc.constantFrom(...SENSITIVE_KEYS),
      fc.nat(3),
    )
    .map(([{ method, input }, number, pick, sensitive, how]) => {
      const typed = `pay ${number.typed} now`
      let injected: unknown = input
      let options: unknown
      const paths = stringPaths(input).filter((p) => p[0] !== 'customerId')
      if (how === 0 && paths.length > 0) {
        injected = replaceAt(input, paths[pick % paths.length] as Array<string | number>, typed)
      } else if (how === 1 && method === 'order') {
        options = { idempotencyKey: typed }
      } else if (how === 2 && method === 'order') {
        const [first, ...rest] = input.items as Input[]
        injected = {
          ...input,
          items: [{ ...first, attributes: { ...(first?.attributes as Input), [sensitive]: 'M' } }, ...rest],
        }
      } else if (method === 'card') {
        injected = { ...input, [sensitive]: '123' }
      } else {
        const key = how === 3 ? number.typed : sensitive
        injected = { ...input, metadata: { ...((input.metadata as Input | null) ?? {}), [key]: 'x' } }
      }
      return { method, input: injected, options, card: number }
    })
}
