import { raw, type Transaction } from 'objection'
import { uuidv7 } from 'uuidv7'
import type { Dialect } from '../workload.js'
import { PARCEL } from '../workload.js'
import { FulfillmentModel, OrderLineModel, OrderModel } from './objection-models.js'
import { dbDate } from './rows.js'

/*
 * (d) W8 in Objection, as its docs show: the same two transactions as the Knex floor
 * (impl/knex-fulfillment.ts), each in OrderModel.transaction under the order's lock (findById with
 * forUpdate() on the servers). Pack: read the order's lines through its relation, take every unit left
 * with one patch, insert the parcel with its lines by insertGraph, patch the order. Ship: patch the parcel
 * on the condition that it is pending, patch the order to shipped, insert the event through the order's
 * relation. insertGraph batches the parcel's lines into one INSERT only on PostgreSQL.
 */

async function lockOrder(trx: Transaction, dialect: Dialect, id: string): Promise<OrderModel> {
  const query = OrderModel.query(trx).findById(id).select('id', 'status', 'version')
  const order = await (dialect === 'sqlite3' ? query : query.forUpdate())
  if (!order) throw new Error(`order ${id} not found`)
  return order
}

/** Packs every unit left of a paid order in one parcel, then ships it; returns the parcel's id. */
export async function fulfilAndShip(dialect: Dialect, orderId: string): Promise<string> {
  const id = uuidv7()
  await OrderModel.transaction(async (trx) => {
    const order = await lockOrder(trx, dialect, orderId)
    if (order.status !== 'paid') throw new Error(`order ${orderId} is not paid`)
    const lines = await order
      .$relatedQuery('lines', trx)
      .select('id', 'quantity', 'refunded_quantity', 'fulfilled_quantity')
      .orderBy('position')
    const taken = lines.flatMap((line) => {
      const left = line.quantity - (line.refundedQuantity ?? 0) - (line.fulfilledQuantity ?? 0)
      return left > 0 ? [{ orderLineId: line.id, quantity: left }] : []
    })
    if (taken.length === 0) throw new Error(`order ${orderId} has nothing left to fulfil`)
    await OrderLineModel.query(trx)
      .where('order_id', orderId)
      .patch({ fulfilledQuantity: raw('?? - ??', ['quantity', 'refunded_quantity']) })
    const at = dbDate(dialect, new Date())
    await FulfillmentModel.query(trx).insertGraph({
      id,
      orderId,
      status: 'pending',
      carrier: null,
      trackingNumber: null,
      trackingUrl: null,
      metadata: null,
      version: 1,
      shippedAt: null,
      deliveredAt: null,
      cancelledAt: null,
      createdAt: at,
      updatedAt: at,
      lines: taken.map((line, position) => ({ ...line, orderId, position })),
    })
    await order.$query(trx).patch({ fulfillmentStatus: 'fulfilled', updatedAt: at })
  })

  await OrderModel.transaction(async (trx) => {
    const order = await lockOrder(trx, dialect, orderId)
    const now = new Date()
    const at = dbDate(dialect, now)
    const shipped = await FulfillmentModel.query(trx).findById(id).where('status', 'pending').patch({
      status: 'shipped',
      shippedAt: at,
      carrier: PARCEL.carrier,
      trackingNumber: PARCEL.trackingNumber,
      version: 2,
      updatedAt: at,
    })
    if (shipped !== 1) throw new Error(`parcel ${id} is not pending`)
    const from = order.status
    await order.$query(trx).patch({ status: 'shipped', version: order.version + 1, updatedAt: at })
    await order.$relatedQuery('events', trx).insert({
      id: uuidv7(),
      type: 'status_changed',
      fromStatus: from,
      toStatus: 'shipped',
      note: null,
      actor: null,
      createdAt: at,
    })
  })
  return id
}
