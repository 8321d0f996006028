import { NotFoundError } from '../errors.js'
import { requestHash } from '../orders/idempotency.js'
import { locksThroughChild, type OrderRef } from '../orders/order-lock.js'
import { identifiers, queryFirst, sqlText } from '../sql/statements.js'
import type { StoreContext } from '../store-context.js'
import { idSchema } from '../text.js'
import { parseInput, parseSchema, readInput } from '../validation.js'
import { createFulfillment } from './create.js'
import type { FulfillmentRepository, TrackingInput } from './fulfillment.js'
import { listFulfillments } from './fulfillment-read.js'
import {
  createFulfillmentOptionsSchema,
  fulfillmentInputSchema,
  trackingInputSchema,
} from './fulfillment-schema.js'
import { type FulfillmentTarget, moveFulfillment } from './transition.js'

/**
 * Creates the fulfillment repository over a store context: reads on `ctx.db`, every write in one
 * `ctx.write` (a transaction, or a savepoint when the store is bound to one).
 *
 * @param ctx - The executor, dialect and table names of the store.
 * @returns The {@link FulfillmentRepository}.
 */
export function createFulfillmentRepository(ctx: StoreContext): FulfillmentRepository {
  const { tables } = ctx

  /**
   * The order a fulfillment write locks: the fulfillment itself where the locking statement can find
   * the order through it (no statement); elsewhere (MySQL/MariaDB) its id, read before the write so its
   * lock can be taken first (see {@link locksThroughChild}).
   */
  const orderOf = async (id: string): Promise<string | OrderRef> => {
    if (locksThroughChild(ctx.dialect)) return { by: 'fulfillment', id }
    const sql = sqlText(ctx.db, `fulfillment-order:${tables.fulfillments}`, () => {
      const [fulfillments, orderId, idColumn] = identifiers(ctx.db, tables.fulfillments, 'order_id', 'id')
      return `select ${orderId} from ${fulfillments} where ${idColumn} = ?`
    })
    const row = await queryFirst<{ order_id: string }>(ctx.db, { sql, bindings: [id] })
    if (!row) throw new NotFoundError('fulfillment', id)
    return row.order_id
  }

  const move = async (rawId: unknown, to: FulfillmentTarget, rawTracking: unknown = {}) => {
    // Card data first, over every argument's snapshot, before any of them is judged.
    const snapshots = { id: readInput(rawId, 'id'), tracking: readInput(rawTracking ?? {}) }
    const id = parseSchema(idSchema, snapshots.id, 'id')
    const tracking = parseSchema(trackingInputSchema, snapshots.tracking)
    const order = await orderOf(id)
    return ctx.write((trx) => moveFulfillment(trx, ctx, order, id, to, tracking))
  }

  return {
    async create(rawOrderId, rawInput, rawOptions) {
      const snapshots = {
        orderId: readInput(rawOrderId, 'orderId'),
        input: readInput(rawInput ?? {}),
        options: readInput(rawOptions ?? {}),
      }
      const orderId = parseSchema(idSchema, snapshots.orderId, 'orderId')
      const input = parseSchema(fulfillmentInputSchema, snapshots.input)
      const { idempotencyKey } = parseSchema(createFulfillmentOptionsSchema, snapshots.options)
      const key = idempotencyKey === undefined ? undefined : { key: idempotencyKey, hash: requestHash(input) }
      return ctx.write((trx) => createFulfillment(trx, ctx, orderId, input, key))
    },

    ship: (id, tracking?: TrackingInput) => move(id, 'shipped', tracking),
    deliver: (id) => move(id, 'delivered'),
    cancel: (id) => move(id, 'cancelled'),

    async list(rawOrderId) {
      const orderId = parseInput(idSchema, rawOrderId, 'orderId')
      // A plain read: where the store routes reads (a replica, after this process's writes are there).
      return listFulfillments(await ctx.reader(), tables, orderId)
    },
  }
}
