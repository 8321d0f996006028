import { beforeAll, describe, expect, it } from 'vitest'
import {
  CardDataRejectedError,
  CheckoutStoreError,
  type CheckoutStoreErrorCode,
  ConfigurationError,
  CustomerHasOpenOrdersError,
  createCheckoutStore,
  DuplicateEmailError,
  HTTP_STATUS,
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  isCheckoutStoreError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
} from '../src/index.js'
import { SAMPLE_ADDRESS } from './support/checkout-data.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder, uniqueEmail } from './support/orders.js'

describe('errors', () => {
  const every = [
    new ValidationError([{ path: 'email', message: 'is required' }]),
    new CardDataRejectedError([{ path: 'note', message: 'holds a card number' }]),
    new NotFoundError('order', 'o1'),
    new DuplicateEmailError('c1'),
    new VersionConflictError('address', 'a1', 1, 2),
    new InvalidTransitionError('o1', 'pending', 'shipped'),
    new CustomerHasOpenOrdersError('c1', ['o1']),
    new IdempotencyKeyReusedError(),
    new ConfigurationError('turn foreign keys on'),
  ]

  it('answer with the HTTP status of their code', () => {
    expect(every.map((e) => [e.code, e.httpStatus])).toEqual([
      ['VALIDATION_FAILED', 400],
      ['CARD_DATA_REJECTED', 400],
      ['NOT_FOUND', 404],
      ['DUPLICATE_EMAIL', 409],
      ['VERSION_CONFLICT', 409],
      ['INVALID_TRANSITION', 409],
      ['CUSTOMER_HAS_OPEN_ORDERS', 409],
      ['IDEMPOTENCY_KEY_REUSED', 422],
      ['CONFIGURATION_INVALID', 500],
    ])
    const table: Record<CheckoutStoreErrorCode, number> = {
      VALIDATION_FAILED: 400,
      CARD_DATA_REJECTED: 400,
      NOT_FOUND: 404,
      DUPLICATE_EMAIL: 409,
      VERSION_CONFLICT: 409,
      INVALID_TRANSITION: 409,
      CUSTOMER_HAS_OPEN_ORDERS: 409,
      CUSTOMER_ANONYMIZED: 409,
      BALANCE_EXCEEDED: 409,
      IDEMPOTENCY_KEY_REUSED: 422,
      CONFIGURATION_INVALID: 500,
      DATABASE_ERROR: 503,
    }
    expect(HTTP_STATUS).toEqual(table)
  })

  it('are recognised by the guard and by instanceof, and named after their class', () => {
    for (const error of every) {
      expect(isCheckoutStoreError(error)).toBe(true)
      expect(error).toBeInstanceOf(CheckoutStoreError)
      expect(error).toBeInstanceOf(Error)
      expect(error.name).toBe(error.constructor.name)
      expect(error.stack).toContain(error.constructor.name)
    }
    expect(new NotFoundError('order', 'x')).not.toBeInstanceOf(ValidationError)
  })

  it('are told apart from look-alikes: a plain object with a code, another Error', () => {
    for (const value of [
      { code: 'NOT_FOUND', httpStatus: 404, message: 'x' },
      Object.assign(new Error('x'), { code: 'VALIDATION_FAILED' }),
      null,
      undefined,
      'NOT_FOUND',
      42,
    ]) {
      expect(isCheckoutStoreError(value)).toBe(false)
      expect(value instanceof CheckoutStoreError).toBe(false)
    }
  })
})

describeEachDatabase('messages a developer can act on', (db) => {
  const store = () => createCheckoutStore(db().knex)
  beforeAll(async () => {
    await store().migrate()
  })
  const failure = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    )
    if (!isCheckoutStoreError(error)) throw new Error('expected a CheckoutStoreError')
    return error
  }

  it('lists the statuses for an unknown one, and the page size for a non-number', async () => {
    const status = await failure(store().orders.list({ status: 'bogus' as never }))
    expect(status).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [
        {
          path: 'status',
          message: 'must be one of pending, paid, shipped, delivered, cancelled, refunded, or a list of them',
        },
      ],
    })
    const transition = await failure(store().orders.transition('x', 'bogus' as never))
    expect(transition).toMatchObject({
      issues: [{ path: 'to', message: expect.stringContaining('pending, paid') }],
    })
    for (const call of [
      store().orders.list({ limit: 'abc' as never }),
      store().customers.list({ limit: 'abc' as never }),
    ]) {
      const error = await failure(call)
      expect(error).toMatchObject({ issues: [{ message: 'must be an integer from 1 to 100' }] })
    }
  })

  it('says a missing field is required, and the type a present one must have', async () => {
    const error = await failure(store().customers.addAddress('x', { name: 'A', city: 5 } as never))
    expect(error.code === 'VALIDATION_FAILED' && error.issues).toEqual([
      { path: 'line1', message: 'is required' },
      { path: 'city', message: 'must be a string' },
      { path: 'country', message: 'is required' },
    ])
    const order = await failure(store().orders.create({ email: uniqueEmail() } as never))
    expect(order).toMatchObject({
      issues: expect.arrayContaining([
        { path: 'currency', message: 'is required' },
        { path: 'items', message: 'is required' },
      ]),
    })
  })

  it('names the kind of record in VERSION_CONFLICT', async () => {
    const ada = await store().customers.create({ email: uniqueEmail() })
    const address = await store().customers.addAddress(ada.id, SAMPLE_ADDRESS)
    const order = await store().orders.create(guestOrder())
    const conflicts = [
      await failure(store().customers.update(ada.id, { name: 'A' }, { expectedVersion: 9 })),
      await failure(
        store().customers.updateAddress(ada.id, address.id, { line2: 'B' }, { expectedVersion: 9 }),
      ),
      await failure(store().orders.transition(order.id, 'paid', { expectedVersion: 9 })),
    ]
    expect(conflicts.map((e) => e.code === 'VERSION_CONFLICT' && [e.entity, e.message])).toEqual([
      ['customer', `The customer ${ada.id} is at version 1, not 9: read it again and retry.`],
      ['address', `The address ${address.id} is at version 1, not 9: read it again and retry.`],
      ['order', `The order ${order.id} is at version 1, not 9: read it again and retry.`],
    ])
  })

  it('treats currency and country codes alike: either case, stored upper-case', async () => {
    const order = await store().orders.create(
      guestOrder({
        currency: 'usd',
        shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'London', country: 'gb' },
      }),
    )
    expect(order).toMatchObject({ currency: 'USD', shippingAddress: { country: 'GB' } })
    expect((await store().orders.get(order.id)).currency).toBe('USD')
    // The same order in the other spelling is the same request for its idempotency key.
    const keyed = await store().orders.create(guestOrder({ currency: 'eur' }), { idempotencyKey: 'case-1' })
    expect(
      await store().orders.create(guestOrder({ currency: 'EUR' }), { idempotencyKey: 'case-1' }),
    ).toMatchObject({
      id: keyed.id,
      replayed: true,
    })
  })
})
