import type { Knex } from 'knex'
import { describe, expectTypeOf, it } from 'vitest'
import {
  type CheckoutStore,
  type CheckoutStoreError,
  type CheckoutStoreErrorCode,
  type Customer,
  createCheckoutStore,
  type Fulfillment,
  type FulfillmentStatus,
  type Order,
  type OrderFulfillmentStatus,
  type OrderStatus,
  type Page,
  type ValidationError,
  type ValidationIssue,
} from '../src/index.js'

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

  it('gives every error a code from the closed union', () => {
    expectTypeOf<CheckoutStoreError['code']>().toEqualTypeOf<CheckoutStoreErrorCode>()
    expectTypeOf<ValidationError['issues']>().toEqualTypeOf<readonly ValidationIssue[]>()
    expectTypeOf<'VALIDATION_FAILED'>().toExtend<CheckoutStoreErrorCode>()
    expectTypeOf<'SOMETHING_ELSE'>().not.toExtend<CheckoutStoreErrorCode>()
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
