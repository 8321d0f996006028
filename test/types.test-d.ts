import type { Knex } from 'knex'
import { describe, expectTypeOf, it } from 'vitest'
import {
  type AddressInput,
  type CheckoutStore,
  CheckoutStoreError,
  type CheckoutStoreErrorCode,
  type CreateOrderOptions,
  type Customer,
  type CustomerInput,
  type CustomerPatch,
  createCheckoutStore,
  type DuplicateEmailError,
  type ExpectedVersionOptions,
  type Fulfillment,
  type FulfillmentStatus,
  type InvalidTransitionError,
  isCheckoutStoreError,
  type ListOrdersOptions,
  NotFoundError,
  type Order,
  type OrderFulfillmentStatus,
  type OrderInput,
  type OrderStatus,
  type Page,
  type PlacedOrder,
  type RecordKind,
  type SchemaIssue,
  schemas,
  type TransitionOptions,
  type TransitionStatus,
  ValidationError,
  type ValidationIssue,
  type VersionConflictError,
} from '../src/index.js'

declare const store: CheckoutStore

describe('public types', () => {
  it('takes a Knex instance or a transaction', () => {
    expectTypeOf(createCheckoutStore).parameter(0).toEqualTypeOf<Knex | Knex.Transaction>()
    expectTypeOf(createCheckoutStore).returns.toEqualTypeOf<CheckoutStore>()
  })

  it('returns domain types with Dates and integer money', () => {
    expectTypeOf<Customer['createdAt']>().toEqualTypeOf<Date>()
    expectTypeOf<Order['total']>().toEqualTypeOf<number>()
    expectTypeOf<Order['status']>().toEqualTypeOf<OrderStatus>()
    expectTypeOf<CheckoutStore['orders']['list']>().returns.resolves.toEqualTypeOf<Page<Order>>()
    expectTypeOf<CheckoutStore['customers']['find']>().returns.resolves.toEqualTypeOf<Customer | null>()
  })

  it('types fulfillments and the order fulfillment status', () => {
    expectTypeOf<Order['fulfillmentStatus']>().toEqualTypeOf<OrderFulfillmentStatus>()
    expectTypeOf<OrderFulfillmentStatus>().toEqualTypeOf<
      'unfulfilled' | 'partially_fulfilled' | 'fulfilled'
    >()
    expectTypeOf<Fulfillment['status']>().toEqualTypeOf<FulfillmentStatus>()
    expectTypeOf<Fulfillment['shippedAt']>().toEqualTypeOf<Date | null>()
    expectTypeOf<CheckoutStore['fulfillments']['list']>().returns.resolves.toEqualTypeOf<Fulfillment[]>()
    expectTypeOf<'BALANCE_EXCEEDED'>().toExtend<CheckoutStoreErrorCode>()
    // @ts-expect-error no such fulfillment status
    const status: FulfillmentStatus = 'lost'
    void status
  })

  it('rejects input of the wrong shape at compile time', () => {
    type Item = Parameters<CheckoutStore['orders']['create']>[0]['items'][number]
    const bad: Item = {
      sku: 'A',
      name: 'A',
      // @ts-expect-error quantity must be a number
      quantity: '2',
      unitPrice: 1,
    }
    void bad
    // @ts-expect-error no such status
    const status: OrderStatus = 'shipping'
    void status
  })
})

describe('errors narrow by code', () => {
  it('narrows a caught CheckoutStoreError to the subclass of its code', () => {
    const handle = (error: CheckoutStoreError) => {
      if (error.code === 'VALIDATION_FAILED') {
        expectTypeOf(error).toEqualTypeOf<ValidationError>()
        expectTypeOf(error.issues).toEqualTypeOf<readonly ValidationIssue[]>()
      }
      if (error.code === 'DUPLICATE_EMAIL') expectTypeOf(error.customerId).toEqualTypeOf<string>()
      if (error.code === 'VERSION_CONFLICT') {
        expectTypeOf(error).toEqualTypeOf<VersionConflictError>()
        expectTypeOf(error.entity).toEqualTypeOf<RecordKind>()
      }
      if (error.code === 'INVALID_TRANSITION') {
        expectTypeOf(error.from).toEqualTypeOf<TransitionStatus>()
        expectTypeOf(error.to).toEqualTypeOf<TransitionStatus>()
        expectTypeOf<OrderStatus>().toExtend<TransitionStatus>()
      }
      if (error.code === 'NOT_FOUND') {
        // @ts-expect-error only VALIDATION_FAILED and CARD_DATA_REJECTED carry issues
        void error.issues
      }
      expectTypeOf(error.httpStatus).toEqualTypeOf<number>()
    }
    void handle
  })

  it('narrows through isCheckoutStoreError and instanceof, from unknown', () => {
    const caught: unknown = undefined
    if (isCheckoutStoreError(caught)) {
      expectTypeOf(caught).toEqualTypeOf<CheckoutStoreError>()
      if (caught.code === 'NOT_FOUND') expectTypeOf(caught).toEqualTypeOf<NotFoundError>()
    }
    if (caught instanceof CheckoutStoreError) {
      expectTypeOf(caught).toEqualTypeOf<CheckoutStoreError>()
      if (caught.code === 'DUPLICATE_EMAIL') expectTypeOf(caught).toEqualTypeOf<DuplicateEmailError>()
    }
    if (caught instanceof ValidationError)
      expectTypeOf(caught.issues).toEqualTypeOf<readonly ValidationIssue[]>()
  })

  it('keeps the subclasses constructible and the base abstract', () => {
    expectTypeOf(new NotFoundError('order', 'x')).toExtend<CheckoutStoreError>()
    // @ts-expect-error the base is only for extending and instanceof
    void new CheckoutStoreError('NOT_FOUND', 'x')
    expectTypeOf<InvalidTransitionError['from']>().toEqualTypeOf<TransitionStatus>()
  })

  it('has a class for every code and a code for every class', () => {
    expectTypeOf<CheckoutStoreError['code']>().toEqualTypeOf<CheckoutStoreErrorCode>()
    expectTypeOf<'SOMETHING_ELSE'>().not.toExtend<CheckoutStoreErrorCode>()
  })
})

describe('inputs under exactOptionalPropertyTypes', () => {
  it('accepts an explicit undefined for every optional field', () => {
    const expectedVersion: number | undefined = undefined
    const versionOptions: ExpectedVersionOptions = { expectedVersion }
    const transition: TransitionOptions = { expectedVersion, note: undefined, actor: undefined }
    const create: CreateOrderOptions = { idempotencyKey: undefined }
    const list: ListOrdersOptions = {
      customerId: undefined,
      status: undefined,
      limit: undefined,
      cursor: undefined,
    }
    const customer: CustomerInput = {
      email: 'a@example.com',
      name: undefined,
      phone: undefined,
      metadata: undefined,
    }
    const patch: CustomerPatch = { email: undefined, name: undefined }
    const address: AddressInput = {
      name: 'A',
      line1: '1',
      city: 'C',
      country: 'GB',
      company: undefined,
      line2: undefined,
      region: undefined,
      postalCode: undefined,
      phone: undefined,
    }
    const order: OrderInput = {
      currency: 'USD',
      items: [{ sku: 'A', name: 'A', quantity: 1, unitPrice: 1, attributes: undefined, metadata: undefined }],
      customerId: undefined,
      email: undefined,
      shippingAddress: undefined,
      shippingTotal: undefined,
      payment: undefined,
      note: undefined,
    }
    void [versionOptions, transition, create, list, customer, patch, address, order]
    void store.customers.updateAddress(
      'c',
      'a',
      { line2: undefined, isDefaultShipping: undefined },
      { expectedVersion },
    )
    void store.pruneIdempotencyKeys({ olderThan: new Date() })
  })
})

describe('results', () => {
  it('says whether orders.create replayed, and stays an Order', () => {
    expectTypeOf(store.orders.create).returns.resolves.toEqualTypeOf<PlacedOrder>()
    expectTypeOf<PlacedOrder['replayed']>().toEqualTypeOf<boolean>()
    expectTypeOf<PlacedOrder>().toExtend<Order>()
    expectTypeOf(store.customers.findOrCreate).returns.resolves.toEqualTypeOf<{
      customer: Customer
      created: boolean
    }>()
  })

  it('types the schemas by the input they check', () => {
    const result = schemas.customerInput['~standard'].validate({})
    if (result.issues) expectTypeOf(result.issues).toEqualTypeOf<readonly SchemaIssue[]>()
    else expectTypeOf(result.value).toEqualTypeOf<CustomerInput>()
    expectTypeOf(schemas.orderInput['~standard'].version).toEqualTypeOf<1>()
  })
})
