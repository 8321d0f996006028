import type { Knex } from 'knex'
import type { Tables } from './tables.js'

/*
 * Idempotency keys are kept until the host prunes them (store.pruneIdempotencyKeys({ olderThan })). The
 * table's only index was its primary key, so the prune's `created_at < ?` scanned every key: this index
 * serves it.
 */

/** The index's name under this prefix. */
export function indexName(tables: Tables): string {
  return `${tables.idempotencyKeys}_created_idx`
}

/** Adds the index on `idempotency_keys (created_at)`. */
export async function up(db: Knex, tables: Tables): Promise<void> {
  await db.schema.alterTable(tables.idempotencyKeys, (t) => {
    t.index(['created_at'], indexName(tables))
  })
}

/** Drops the index. */
export async function down(db: Knex, tables: Tables): Promise<void> {
  await db.schema.alterTable(tables.idempotencyKeys, (t) => {
    t.dropIndex(['created_at'], indexName(tables))
  })
}
