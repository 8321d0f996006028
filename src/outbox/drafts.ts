import type { OutboxEventDraft } from './outbox-writer.js'

/*
 * The drafts of the customer and order writes, in one place so that every payload stays thin: ids,
 * numbers, statuses, amounts and currency, never a name, an email, a phone number, an address, a note or
 * an actor. Erasure then has nothing to chase in the outbox.
 */

/** An event a write is about to append. */
export type Draft = OutboxEventDraft

/** What a `customer.updated` event says changed. */
export type CustomerChange = 'email' | 'name' | 'phone' | 'metadata' | 'addresses' | 'paymentMethods'

/** `customer.created`. */
export function customerCreated(customerId: string, occurredAt: Date): OutboxEventDraft {
  return draft('customer.created', 'customer', customerId, { customerId, version: 1 }, occurredAt)
}

/** `customer.updated`, for the customer's own fields or their addresses and payment methods. */
export function customerUpdated(
  customerId: string,
  version: number,
  changed: readonly CustomerChange[],
  occurredAt: Date,
): OutboxEventDraft {
  return draft('customer.updated', 'customer', customerId, { customerId, version, changed }, occurredAt)
}

/** `customer.anonymized`. */
export function customerAnonymized(customerId: string, occurredAt: Date): OutboxEventDraft {
  return draft('customer.anonymized', 'customer', customerId, { customerId }, occurredAt)
}

/** `order.placed`. */
export function orderPlaced(
  order: {
    readonly id: string
    readonly number: number
    readonly customerId: string | null
    readonly currency: string
    readonly subtotal: number
    readonly total: number
  },
  occurredAt: Date,
): OutboxEventDraft {
  const { id, number, customerId, currency, subtotal, total } = order
  return draft(
    'order.placed',
    'order',
    id,
    { orderId: id, number, customerId, status: 'pending', currency, subtotal, total },
    occurredAt,
  )
}

/** `order.status_changed`. */
export function orderStatusChanged(
  change: { orderId: string; number: number; from: string; to: string; version: number },
  occurredAt: Date,
): OutboxEventDraft {
  return draft('order.status_changed', 'order', change.orderId, { ...change }, occurredAt)
}

function draft(
  type: string,
  aggregateType: OutboxEventDraft['aggregateType'],
  aggregateId: string,
  payload: Record<string, unknown>,
  occurredAt: Date,
): OutboxEventDraft {
  return { type, aggregateType, aggregateId, payload, occurredAt }
}
