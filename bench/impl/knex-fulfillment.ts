import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import type { Dialect } from '../workload.js'
import { PARCEL, TABLES } from '../workload.js'
import { eventRow } from './rows.js'

/*
 * (b) W8 by hand: the fewest statements with the library's effect, in the same two transactions (a
 * parcel is packed, and later collected by the carrier), each under the order's row lock.
 * Pack: lock the order, read its lines' units left, take them all in one UPDATE, insert the parcel and
 *       its lines, mark the order fulfilled. Six statements.
 * Ship: lock the order, ship the parcel on the condition that it is pending, move the order to shipped,
 *       insert the status_changed event. Four statements. Knowing every unit is in this parcel, it skips
 *       the count the library makes to decide whether the order follows.
 */

const stamp = (dialect: Dialect, at: Date): Date | number => (dialect === 'sqlite3' ? at.getTime() : at)

async function lockOrder(trx: Knex.Transaction, dialect: Dialect, id: string) {
  const query = trx(TABLES.orders).where({ id }).first('status', 'version')
  if (dialect !== 'sqlite3') query.forUpdate()
  const row = (await query) as { status: string; version: unknown } | undefined
  if (!row) throw new Error(`order ${id} not found`)
  return row
}

/** Packs every unit left of a paid order in one parcel, then ships it; returns the parcel's id. */
export async function fulfilAndShip(knex: Knex, dialect: Dialect, orderId: string): Promise<string> {
  const id = uuidv7()
  const packedAt = new Date()
  await knex.transaction(async (trx) => {
    const order = await lockOrder(trx, dialect, orderId)
    if (order.status !== 'paid') throw new Error(`order ${orderId} is not paid`)
    const lines = (await trx(TABLES.orderLines)
      .where({ order_id: orderId })
      .orderBy('position')
      .select(
        'id',
        trx.raw('?? - ?? - ?? as ??', ['quantity', 'refunded_quantity', 'fulfilled_quantity', 'left']),
      )) as Array<{
      id: string
      left: unknown
    }>
    const taken = lines.filter((line) => Number(line.left) > 0)
    if (taken.length === 0) throw new Error(`order ${orderId} has nothing left to fulfil`)
    await trx(TABLES.orderLines)
      .where({ order_id: orderId })
      .update({ fulfilled_quantity: trx.raw('?? - ??', ['quantity', 'refunded_quantity']) })
    const at = stamp(dialect, packedAt)
    await trx(TABLES.fulfillments).insert({
      id,
      order_id: orderId,
      status: 'pending',
      carrier: null,
      tracking_number: null,
      tracking_url: null,
      metadata: null,
      version: 1,
      shipped_at: null,
      delivered_at: null,
      cancelled_at: null,
      created_at: at,
      updated_at: at,
    })
    await trx(TABLES.fulfillmentLines).insert(
      taken.map((line, position) => ({
        fulfillment_id: id,
        order_line_id: line.id,
        order_id: orderId,
        position,
        quantity: Number(line.left),
      })),
    )
    await trx(TABLES.orders)
      .where({ id: orderId })
      .update({ fulfillment_status: 'fulfilled', updated_at: at })
  })

  const shippedAt = new Date()
  await knex.transaction(async (trx) => {
    const order = await lockOrder(trx, dialect, orderId)
    const at = stamp(dialect, shippedAt)
    const shipped = await trx(TABLES.fulfillments)
      .where({ id, status: 'pending' })
      .update({ status: 'shipped', shipped_at: at, ...carrierColumns(), version: 2, updated_at: at })
    if (shipped !== 1) throw new Error(`parcel ${id} is not pending`)
    await trx(TABLES.orders)
      .where({ id: orderId })
      .update({ status: 'shipped', version: Number(order.version) + 1, updated_at: at })
    await trx(TABLES.orderEvents).insert(eventRow(dialect, orderId, shippedAt, 'paid', 'shipped'))
  })
  return id
}

function carrierColumns() {
  return { carrier: PARCEL.carrier, tracking_number: PARCEL.trackingNumber }
}
