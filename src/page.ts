import { z } from 'zod'

/**
 * One page of a list, newest first. Pass `nextCursor` back as `cursor` for the next page.
 *
 * @example
 * ```ts
 * let page: Page<Order> = await store.orders.list({ limit: 100 })
 * while (page.nextCursor) page = await store.orders.list({ limit: 100, cursor: page.nextCursor })
 * ```
 */
export interface Page<T> {
  /** The records on this page. */
  items: T[]
  /** Opaque cursor for the next page, or `null` when this is the last page. */
  nextCursor: string | null
}

/** Page size when a list call does not say. */
export const DEFAULT_PAGE_SIZE = 20

/** The page size of a list call: 1 to 100, {@link DEFAULT_PAGE_SIZE} when left out. */
export const pageLimitSchema = z
  .number({ message: 'must be an integer from 1 to 100' })
  .int('must be an integer')
  .min(1, 'must be 1 to 100')
  .max(100, 'must be 1 to 100')
  .default(DEFAULT_PAGE_SIZE)

/** The `cursor` of a list call: `nextCursor` of the previous page; decoded by the keyset module. */
export const cursorSchema = z
  .string({ message: 'must be the nextCursor of a previous page' })
  .max(200, 'is not a cursor of this store')
  .nullish()
