import type { Knex } from 'knex'
import type { Tables } from '../../src/schema/tables.js'

/**
 * Refunds `quantity` units of one order line, as a refund by line does: raises
 * `order_lines.refunded_quantity`, never past the line's quantity. Stands in for
 * `store.payments.refund(paymentId, { items: [{ lineId, quantity }] })` until payments ship.
 */
export async function refundUnits(db: Knex, tables: Tables, lineId: string, quantity: number): Promise<void> {
  const raised = await db(tables.orderLines)
    .where({ id: lineId })
    .whereRaw('?? + ? <= ??', ['refunded_quantity', quantity, 'quantity'])
    .increment('refunded_quantity', quantity)
  if (raised !== 1) throw new Error(`cannot refund ${quantity} more units of line ${lineId}`)
}
