import type { Knex } from 'knex'
import * as initial from './0001-initial.js'
import * as paymentMethodsByCustomer from './0002-payment-methods-by-customer.js'
import * as payments from './0003-payments.js'
import * as fulfillments from './0004-fulfillments.js'
import * as outbox from './0005-outbox.js'
import * as erasure from './0006-erasure.js'
import * as idempotencyRetention from './0007-idempotency-retention.js'
import type { Tables } from './tables.js'

/**
 * One of the library's migrations, shipped as code.
 *
 * @example
 * ```ts
 * const migrations = await store.migrationSource.getMigrations([])
 * migrations.map((m) => m.name) // ['0001-initial', …]
 * ```
 */
export interface CheckoutMigration {
  /** Stable name, recorded in the migration log. */
  readonly name: string
  /** Applies the migration. */
  up(db: Knex): Promise<void>
  /** Reverts the migration. */
  down(db: Knex): Promise<void>
}

interface MigrationModule {
  up(db: Knex, tables: Tables): Promise<void>
  down(db: Knex, tables: Tables): Promise<void>
}

// In order. A name, once released, never changes: it is what the log records.
const MODULES: ReadonlyArray<readonly [string, MigrationModule]> = [
  ['0001-initial', initial],
  ['0002-payment-methods-by-customer', paymentMethodsByCustomer],
  ['0003-payments', payments],
  ['0004-fulfillments', fulfillments],
  ['0005-outbox', outbox],
  ['0006-erasure', erasure],
  ['0007-idempotency-retention', idempotencyRetention],
]

/** The library's migrations for one table prefix, oldest first. */
export function migrationsFor(tables: Tables): readonly CheckoutMigration[] {
  return MODULES.map(([name, module]) => ({
    name,
    up: (db: Knex) => module.up(db, tables),
    down: (db: Knex) => module.down(db, tables),
  }))
}

/**
 * A Knex `MigrationSource` over the same migrations, for hosts that run them in their own pipeline.
 * Nothing is read from disk.
 */
export function createMigrationSource(tables: Tables): Knex.MigrationSource<CheckoutMigration> {
  const migrations = migrationsFor(tables)
  return {
    getMigrations: async () => [...migrations],
    getMigrationName: (migration) => migration.name,
    getMigration: async (migration) => ({ up: migration.up, down: migration.down }),
  }
}
