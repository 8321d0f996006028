import { z } from 'zod'
import { idSchema } from '../text.js'

/** The record an outbox event belongs to: payment and fulfillment events belong to their order. */
export type OutboxAggregateType = 'customer' | 'order'

/**
 * Every event type the store appends to its outbox. `customer.updated` covers the customer's own fields
 * and their addresses and saved payment methods: its payload's `changed` says which.
 */
export type OutboxEventType =
  | 'customer.created'
  | 'customer.updated'
  | 'customer.anonymized'
  | 'order.placed'
  | 'order.status_changed'
  | 'payment.authorized'
  | 'payment.captured'
  | 'payment.refunded'
  | 'payment.voided'
  | 'fulfillment.created'
  | 'fulfillment.shipped'
  | 'fulfillment.delivered'
  | 'fulfillment.cancelled'

/**
 * One event from the outbox, as {@link OutboxRepository.claim} hands it out.
 *
 * Payloads are thin and never hold personal data; a consumer that needs more reads the record by its id:
 *
 * | type | payload |
 * | --- | --- |
 * | `customer.created` | `{ customerId, version }` |
 * | `customer.updated` | `{ customerId, version, changed }`: `changed` lists `email`, `name`, `phone`, `metadata`, `addresses`, `paymentMethods` |
 * | `customer.anonymized` | `{ customerId }` |
 * | `order.placed` | `{ orderId, number, customerId, status, currency, subtotal, total }` |
 * | `order.status_changed` | `{ orderId, number, from, to, version }` |
 *
 * @example
 * ```ts
 * for (const event of await store.outbox.claim({ limit: 100, leaseMs: 30_000 })) {
 *   if (event.type === 'order.placed') await erp.importOrder(event.aggregateId)
 * }
 * ```
 */
export interface OutboxEvent {
  /** UUIDv7: unique, so a consumer de-duplicates redeliveries on it. */
  readonly id: string
  /** What happened, such as `order.placed`. */
  readonly type: OutboxEventType
  /** The kind of record the event belongs to: `customer` or `order`. */
  readonly aggregateType: OutboxAggregateType
  /** The customer's or the order's id. */
  readonly aggregateId: string
  /**
   * 1, 2, 3… per aggregate, without gaps, in the order the writes committed: a consumer applies an
   * aggregate's events in this order and knows from a gap that one is still to come.
   */
  readonly sequence: number
  /** Ids, numbers, statuses, amounts and currency; see the table above. */
  readonly payload: Readonly<Record<string, unknown>>
  /** When the write happened. */
  readonly occurredAt: Date
  /** How often the event has been claimed, this time included: 1 on first delivery. */
  readonly attempts: number
  /** Until when this claim holds: after it, an unacknowledged event is handed out again. */
  readonly leaseExpiresAt: Date
}

/** Options of {@link OutboxRepository.claim}. */
export interface ClaimOptions {
  /**
   * Events to claim at most, 1 to 1,000.
   *
   * @defaultValue `100`
   */
  limit?: number | undefined
  /**
   * How long the claim holds, in milliseconds (1 to 86,400,000): no other claimer gets these events
   * until then, and unacknowledged ones are handed out again after it.
   *
   * @defaultValue `30000`
   */
  leaseMs?: number | undefined
}

/** Options of {@link OutboxRepository.prune}. */
export interface PruneOptions {
  /** Acknowledged events acknowledged before this instant are deleted. */
  olderThan: Date
}

/**
 * The transactional outbox: the events of every write, committed in the write's own transaction, for a
 * relay to deliver downstream. Delivery is at least once: an event is handed out until it is
 * acknowledged, so a consumer de-duplicates on `id` and orders an aggregate's events by `sequence`.
 *
 * @example
 * ```ts
 * const batch = await store.outbox.claim({ limit: 100, leaseMs: 30_000 })
 * for (const event of batch) await publish(event) // idempotent on event.id downstream
 * await store.outbox.ack(batch.map((e) => e.id))
 * ```
 */
export interface OutboxRepository {
  /**
   * Hands out up to `limit` unacknowledged events whose lease is not held, oldest first, and leases them
   * for `leaseMs` on the database's clock. Concurrent claimers never get the same event while its lease
   * holds (`FOR UPDATE SKIP LOCKED` on PostgreSQL and MariaDB/MySQL, the write lock on SQLite).
   *
   * @returns the events, oldest first, each with `attempts` counting this claim
   * @throws `VALIDATION_FAILED` for a bad `limit` or `leaseMs`
   * @example
   * ```ts
   * const batch = await store.outbox.claim({ limit: 50, leaseMs: 60_000 })
   * ```
   */
  claim(options?: ClaimOptions): Promise<OutboxEvent[]>
  /**
   * Acknowledges events: they are never handed out again. Idempotent: ids already acknowledged, or
   * pruned, or unknown, are passed over.
   *
   * @param ids - Event ids, at most 10,000.
   * @returns how many events this call acknowledged
   * @throws `VALIDATION_FAILED` when `ids` is not an array of event ids
   * @example
   * ```ts
   * await store.outbox.ack(batch.map((e) => e.id))
   * ```
   */
  ack(ids: readonly string[]): Promise<number>
  /**
   * Deletes acknowledged events acknowledged before `olderThan`, in batches. Unacknowledged events are
   * never deleted.
   *
   * @returns how many events were deleted
   * @throws `VALIDATION_FAILED` when `olderThan` is not a valid `Date`
   * @example
   * ```ts
   * await store.outbox.prune({ olderThan: new Date(Date.now() - 7 * 24 * 3600_000) }) // keep a week
   * ```
   */
  prune(options: PruneOptions): Promise<number>
}

/** Limits on the outbox's arguments. */
export const OUTBOX_LIMITS = {
  claim: 1000,
  leaseMs: 86_400_000,
  ack: 10_000,
} as const

/** The schema behind {@link ClaimOptions}. */
export const claimOptionsSchema = z.strictObject({
  limit: z
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(1, `must be 1 to ${OUTBOX_LIMITS.claim}`)
    .max(OUTBOX_LIMITS.claim, `must be 1 to ${OUTBOX_LIMITS.claim}`)
    .optional()
    .transform((v) => v ?? 100),
  leaseMs: z
    .number({ message: 'must be a number' })
    .int('must be an integer number of milliseconds')
    .min(1, `must be 1 to ${OUTBOX_LIMITS.leaseMs}`)
    .max(OUTBOX_LIMITS.leaseMs, `must be 1 to ${OUTBOX_LIMITS.leaseMs}`)
    .optional()
    .transform((v) => v ?? 30_000),
})

/** The schema behind {@link OutboxRepository.ack}'s ids. */
export const ackIdsSchema = z
  .array(idSchema, { message: 'must be an array of event ids' })
  .max(OUTBOX_LIMITS.ack, `must hold at most ${OUTBOX_LIMITS.ack} ids`)

/** The schema behind {@link PruneOptions}. */
export const pruneOptionsSchema = z.strictObject({
  olderThan: z.date({ message: 'must be a valid Date' }),
})
