import { describe, expectTypeOf, it } from 'vitest'
import type { CheckoutStore, CustomerExport, ExportedOrder, JsonReady, Order } from '../src/index.js'

describe('export types', () => {
  it('carry every date as a string, at any depth', () => {
    expectTypeOf<CheckoutStore['customers']['export']>().returns.resolves.toEqualTypeOf<CustomerExport>()
    expectTypeOf<CustomerExport['customer']['createdAt']>().toEqualTypeOf<string>()
    expectTypeOf<CustomerExport['customer']['anonymizedAt']>().toEqualTypeOf<string | null>()
    expectTypeOf<ExportedOrder['events'][number]['at']>().toEqualTypeOf<string>()
    expectTypeOf<ExportedOrder['items']>().toEqualTypeOf<JsonReady<Order['items']>>()
    expectTypeOf<ExportedOrder['total']>().toEqualTypeOf<number>()
  })

  it('leave the provider token out of payment methods', () => {
    expectTypeOf<CustomerExport['paymentMethods'][number]>().not.toHaveProperty('token')
    expectTypeOf<CustomerExport['paymentMethods'][number]>().not.toHaveProperty('fingerprint')
    expectTypeOf<CustomerExport['paymentMethods'][number]['last4']>().toEqualTypeOf<string>()
  })
})
