import { describe, expectTypeOf, it } from 'vitest'
import type {
  CheckoutStore,
  CheckoutStoreTransaction,
  OutboxAggregateType,
  OutboxEvent,
  OutboxEventType,
} from '../src/index.js'

describe('outbox types', () => {
  it('hands out typed events and counts acks and prunes', () => {
    expectTypeOf<CheckoutStore['outbox']['claim']>().returns.resolves.toEqualTypeOf<OutboxEvent[]>()
    expectTypeOf<CheckoutStore['outbox']['ack']>().returns.resolves.toEqualTypeOf<number>()
    expectTypeOf<CheckoutStore['outbox']['prune']>().returns.resolves.toEqualTypeOf<number>()
    expectTypeOf<CheckoutStoreTransaction['outbox']>().toEqualTypeOf<CheckoutStore['outbox']>()
  })

  it('narrows event types and aggregates to closed unions', () => {
    expectTypeOf<OutboxEvent['type']>().toEqualTypeOf<OutboxEventType>()
    expectTypeOf<'order.placed'>().toExtend<OutboxEventType>()
    expectTypeOf<'order.shipped'>().not.toExtend<OutboxEventType>()
    expectTypeOf<OutboxEvent['aggregateType']>().toEqualTypeOf<OutboxAggregateType>()
    expectTypeOf<OutboxEvent['occurredAt']>().toEqualTypeOf<Date>()
    expectTypeOf<CheckoutStore['outbox']['claim']>()
      .parameter(0)
      .toEqualTypeOf<{ limit?: number | undefined; leaseMs?: number | undefined } | undefined>()
  })
})
