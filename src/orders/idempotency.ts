import { createHash } from 'node:crypto'
import { z } from 'zod'
import { toDbDate } from '../sql/values.js'
import type { StoreContext } from '../store-context.js'
import { parseInput } from '../validation.js'
import type { Order, PlacedOrder } from './order.js'

/**
 * The fingerprint of a create request, stored beside its idempotency key: sha256 (hex) of the parsed
 * input as canonical JSON (object keys sorted at every level, absent fields left out), so the same
 * order given with its keys in another order, or with a default spelled out, hashes the same.
 *
 * @param input - The parsed (validated, normalised) create input.
 * @returns 64 lowercase hex characters.
 */
export function requestHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex')
}

/** JSON with object keys sorted; `undefined` members are dropped, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item
    const record = item as Record<string, unknown>
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, record[key]]),
    )
  })
}

/**
 * Marks the order `orders.create` returns with whether it is a replay. The flag is non-enumerable, so the
 * order serialises, spreads and compares exactly like the same order read with `orders.get`: a replayed
 * response body is byte for byte the first one.
 */
export function placed(order: Order, replayed: boolean): PlacedOrder {
  return Object.defineProperty(order, 'replayed', { value: replayed, enumerable: false }) as PlacedOrder
}

/**
 * Options for {@link CheckoutStore.pruneIdempotencyKeys}.
 *
 * @example
 * ```ts
 * await store.pruneIdempotencyKeys({ olderThan: new Date(Date.now() - 24 * 60 * 60 * 1000) })
 * ```
 */
export interface PruneIdempotencyKeysOptions {
  /** Keys first used before this instant are deleted; their orders stay. */
  olderThan: Date
}

const pruneOptionsSchema = z.strictObject({
  olderThan: z.date({ message: 'must be a valid Date' }),
})

/**
 * Deletes the idempotency keys first used before `olderThan`, in one statement served by the index on
 * `created_at`. A retry with a deleted key places a new order.
 *
 * @returns How many keys were deleted.
 */
export async function pruneIdempotencyKeys(ctx: StoreContext, options: unknown): Promise<number> {
  const { olderThan } = parseInput(pruneOptionsSchema, options, 'options')
  const before = toDbDate(ctx.dialect, olderThan)
  return ctx.write(async (trx) => trx(ctx.tables.idempotencyKeys).where('created_at', '<', before).del())
}

/**
 * What an idempotency key is stored as once the order it made was erased (`customers.anonymize`): a
 * sha256 digest in place of the key's text, which may have held the shopper's email. A replay looks the
 * key up in both forms, so an erased key stays used.
 *
 * @param key - The key as the caller gave it.
 * @returns `erased:` and 64 lowercase hex characters.
 */
export function erasedIdempotencyKey(key: string): string {
  return `erased:${createHash('sha256').update(key).digest('hex')}`
}

/**
 * The request hash of an erased key: cleared, so it matches no request. A replay of an erased key then
 * answers `IDEMPOTENCY_KEY_REUSED` whatever the input, and no input can be confirmed against it.
 */
export const ERASED_REQUEST_HASH = ''
