import { runTransaction } from '../sql/transactions.js'
import type { StoreContext } from '../store-context.js'
import { parseInput } from '../validation.js'
import { claimRows, databaseNowMs } from './claim.js'
import {
  ackIdsSchema,
  claimOptionsSchema,
  type OutboxEvent,
  type OutboxRepository,
  pruneOptionsSchema,
} from './outbox.js'
import { toOutboxEvent } from './outbox-row.js'

/** Ids per `where id in (…)`: well under every dialect's bound-parameter limit. */
const CHUNK = 1000

/** Acknowledged events deleted per statement by prune, so no one statement holds a huge lock set. */
const PRUNE_BATCH = 5000

/**
 * Creates the outbox repository over a store context: claim, ack and prune, each atomic on its own
 * (inside the store's transaction when it is bound to one).
 */
export function createOutboxRepository(ctx: StoreContext): OutboxRepository {
  const { tables, dialect } = ctx
  const now = databaseNowMs(dialect)

  return {
    async claim(options) {
      const request = parseInput(claimOptionsSchema, options ?? {}, 'options')
      let rows: Awaited<ReturnType<typeof claimRows>>
      if (dialect === 'postgresql' && !ctx.db.isTransaction) {
        // One statement: atomic without BEGIN and COMMIT around it.
        rows = await claimRows(ctx.db, dialect, tables, request)
      } else if (dialect === 'mysql') {
        rows = await runTransaction(ctx.db, dialect, (trx) => claimRows(trx, dialect, tables, request), {
          isolationLevel: 'read committed',
        })
      } else {
        rows = await ctx.write((trx) => claimRows(trx, dialect, tables, request))
      }
      const events: OutboxEvent[] = rows.map(toOutboxEvent)
      // RETURNING gives no order: hand them out oldest first, as claimed.
      return events.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    },

    async ack(ids) {
      const unique = [...new Set(parseInput(ackIdsSchema, ids, 'ids'))]
      if (unique.length === 0) return 0
      return ctx.write(async (trx) => {
        let acked = 0
        for (let i = 0; i < unique.length; i += CHUNK) {
          // Only rows not yet acknowledged: a second ack changes nothing and counts nothing.
          acked += await trx(tables.outbox)
            .whereIn('id', unique.slice(i, i + CHUNK))
            .whereNull('acked_at')
            .update({ acked_at: trx.raw(now) })
        }
        return acked
      })
    },

    async prune(options) {
      const { olderThan } = parseInput(pruneOptionsSchema, options, 'options')
      const cutoff = olderThan.getTime()
      let deleted = 0
      for (;;) {
        // Batches by the acked_at index, each its own short transaction.
        const count = await ctx.write(async (trx) => {
          const ids = (await trx(tables.outbox)
            .select('id')
            .where('acked_at', '<', cutoff)
            .orderBy('acked_at')
            .limit(PRUNE_BATCH)) as Array<{ id: string }>
          if (ids.length === 0) return 0
          let removed = 0
          for (let i = 0; i < ids.length; i += CHUNK) {
            removed += await trx(tables.outbox)
              .whereIn(
                'id',
                ids.slice(i, i + CHUNK).map((r) => r.id),
              )
              .del()
          }
          return removed
        })
        deleted += count
        if (count < PRUNE_BATCH) return deleted
      }
    },
  }
}
