import type { Knex } from 'knex'
import type { CustomerRepository } from './customers/customer.js'
import { createCustomerRepository } from './customers/customer-repository.js'
import { ValidationError } from './errors.js'
import type { FulfillmentRepository } from './fulfillments/fulfillment.js'
import { createFulfillmentRepository } from './fulfillments/fulfillment-repository.js'
import { type PruneIdempotencyKeysOptions, pruneIdempotencyKeys } from './orders/idempotency.js'
import type { OrderRepository } from './orders/order.js'
import { createOrderRepository } from './orders/order-repository.js'
import type { OutboxRepository } from './outbox/outbox.js'
import { createOutboxRepository } from './outbox/outbox-repository.js'
import type { PaymentRepository } from './payments/payment.js'
import { createPaymentRepository } from './payments/payment-repository.js'
import { routeReads } from './replication/read-routing.js'
import { type CheckoutMigration, createMigrationSource } from './schema/migration-source.js'
import { migrateLatest, rollbackAll } from './schema/migrator.js'
import { DEFAULT_TABLE_PREFIX, tableNames } from './schema/tables.js'
import { type Dialect, detectDialect } from './sql/dialect.js'
import { unnamedStatements } from './sql/statements.js'
import { runTransaction } from './sql/transactions.js'
import { translateError, translateErrors } from './sql/translate-error.js'
import { createSharedState, createStoreContext } from './store-context.js'

/**
 * Options for {@link createCheckoutStore}.
 *
 * @example
 * ```ts
 * const store = createCheckoutStore(db, { tablePrefix: 'shop_' })
 * ```
 */
export interface CheckoutStoreOptions {
  /**
   * Prefix of every table the store creates, so it can share a database with the host's tables, or
   * with another store under another prefix. A plain SQL identifier: letters, digits and underscores,
   * starting with a letter or underscore, at most 20 characters.
   *
   * @defaultValue `'checkout_'`
   */
  tablePrefix?: string | undefined
  /**
   * A Knex instance on a replica of the primary, for plain reads: `get`, `find`, `findByNumber`,
   * `findByEmail`, `list` and `events`. Writes, and every read a write depends on, stay on the primary.
   * A read after a write of this store never misses that write:
   *
   * - PostgreSQL (streaming hot standby): the read waits until the replica has replayed the primary's
   *   WAL position after the write, for 100 ms at most, then reads the primary instead.
   * - MariaDB Galera: reads go to the reader only when its sessions set `wsrep_sync_wait = 1` (in the
   *   reader pool's `afterCreate`), which makes each read wait for the cluster; else to the primary.
   *   Other MariaDB/MySQL replicas: reads stay on the primary.
   * - SQLite: refused (one file has no replica).
   *
   * @defaultValue none: every read goes to the primary
   * @example
   * ```ts
   * const primary = knex({ client: 'pg', connection: process.env.DATABASE_URL })
   * const replica = knex({ client: 'pg', connection: process.env.REPLICA_URL })
   * const store = createCheckoutStore(primary, { reader: replica })
   * const order = await store.orders.create(input) // on the primary
   * await store.orders.get(order.id) // on the replica once it has the order
   * ```
   */
  reader?: Knex | undefined
  /**
   * PostgreSQL: whether the store's statements are named prepared statements, parsed and planned once
   * per connection (`checkout_store_…` in `pg_prepared_statements`). Set `false` behind a pooler in
   * transaction mode that does not track prepared statements (PgBouncer before 1.21, or without
   * `max_prepared_statements`): each statement is then parsed and planned on every call. Applies to the
   * Knex instances given (`db` and `reader`). SQLite and MySQL/MariaDB are not affected: SQLite keeps its
   * prepared statements in the process, and MySQL/MariaDB statements run as text.
   *
   * @defaultValue `true`
   * @example
   * ```ts
   * // Behind PgBouncer 1.20 in transaction mode
   * const store = createCheckoutStore(db, { preparedStatements: false })
   * ```
   */
  preparedStatements?: boolean | undefined
}

/**
 * The repositories bound to one database transaction, as given to {@link CheckoutStore.transaction}.
 *
 * @example
 * ```ts
 * await store.transaction(async (tx: CheckoutStoreTransaction) => {
 *   const { customer } = await tx.customers.findOrCreate({ email })
 *   await tx.trx('audit_log').insert({ customer_id: customer.id }) // the host's table, same transaction
 * })
 * ```
 */
export interface CheckoutStoreTransaction {
  /** Customers, inside the transaction. */
  readonly customers: CustomerRepository
  /** Orders, inside the transaction. */
  readonly orders: OrderRepository
  /** Payments, inside the transaction. */
  readonly payments: PaymentRepository
  /** Fulfillments, inside the transaction. */
  readonly fulfillments: FulfillmentRepository
  /** The outbox, inside the transaction: claims and acks commit or roll back with it. */
  readonly outbox: OutboxRepository
  /** The Knex transaction itself, for the host's own queries in the same transaction. */
  readonly trx: Knex.Transaction
}

/**
 * Order and customer repositories over one Knex connection. Made by {@link createCheckoutStore}.
 *
 * @example
 * ```ts
 * const store: CheckoutStore = createCheckoutStore(db)
 * await store.migrate()
 * const order = await store.orders.get(id)
 * ```
 */
export interface CheckoutStore {
  /** The shop's customers, with their addresses and saved payment methods. */
  readonly customers: CustomerRepository
  /** The shop's orders, with their lines and history. */
  readonly orders: OrderRepository
  /** The orders' payments: authorizations, captures, refunds and voids, in a ledger per order. */
  readonly payments: PaymentRepository
  /** What left the warehouse, line by line, with carrier and tracking. */
  readonly fulfillments: FulfillmentRepository
  /**
   * The transactional outbox: every write's events, committed in the write's own transaction, for a
   * relay to claim, deliver and acknowledge.
   *
   * @example
   * ```ts
   * const batch = await store.outbox.claim({ limit: 100, leaseMs: 30_000 })
   * await store.outbox.ack(batch.map((e) => e.id))
   * ```
   */
  readonly outbox: OutboxRepository
  /**
   * Applies the library's migrations that have not run yet, tracked in its own table
   * (`<prefix>migrations`), never in the host's `knex_migrations`. Safe to call from several processes
   * at once: they take a database lock in turn, and the later ones find nothing left to do.
   *
   * @returns the names of the migrations applied by this call
   * @example
   * ```ts
   * await store.migrate() // on start-up, before serving requests
   * ```
   */
  migrate(): Promise<string[]>
  /**
   * Reverts all of the library's migrations: drops its tables, and only its tables.
   *
   * @returns the names of the migrations reverted, newest first
   * @example
   * ```ts
   * await store.rollback()
   * ```
   */
  rollback(): Promise<string[]>
  /**
   * The same migrations as a Knex `MigrationSource`, for hosts that run migrations in their own
   * pipeline instead of calling {@link CheckoutStore.migrate}. Use its own table name, and not both.
   *
   * @example
   * ```ts
   * await db.migrate.latest({ migrationSource: store.migrationSource, tableName: 'checkout_migrations' })
   * ```
   */
  readonly migrationSource: Knex.MigrationSource<CheckoutMigration>
  /**
   * Runs `fn` with repositories bound to one database transaction: it commits when `fn` resolves and
   * rolls back when it throws (the error is rethrown). Inside a store that is itself bound to a
   * transaction, this is a savepoint.
   *
   * @example
   * ```ts
   * await store.transaction(async (tx) => {
   *   const customer = await tx.customers.create({ email: 'grace@example.com' })
   *   await tx.orders.create({ customerId: customer.id, currency: 'EUR', items })
   * })
   * ```
   */
  transaction<T>(fn: (tx: CheckoutStoreTransaction) => Promise<T>): Promise<T>
  /**
   * Deletes the idempotency keys of `orders.create` first used before `olderThan`; the orders they
   * placed stay. A retry with a deleted key places a new order, so keep keys longer than any client
   * retries (a day is plenty for a checkout). Run it from a scheduled job. The keys of payment and
   * fulfillment calls are kept with their records.
   *
   * @returns How many keys were deleted.
   * @throws `VALIDATION_FAILED` when `olderThan` is not a valid Date
   * @example
   * ```ts
   * const week = 7 * 24 * 60 * 60 * 1000
   * await store.pruneIdempotencyKeys({ olderThan: new Date(Date.now() - week) })
   * ```
   */
  pruneIdempotencyKeys(options: PruneIdempotencyKeysOptions): Promise<number>
}

/**
 * Creates a store over a Knex instance or a Knex transaction the host already has. Nothing is queried
 * until a method is called; call {@link CheckoutStore.migrate} once before first use.
 *
 * @param db - A Knex instance (`pg`, `mysql2` or `better-sqlite3` client) or a transaction of one.
 * @param options - Table prefix; a reader for plain reads; whether statements are prepared on PostgreSQL.
 * @throws `VALIDATION_FAILED` for a bad `tablePrefix`; `CONFIGURATION_INVALID` for an unsupported client,
 * or a `reader` that is not a Knex instance of the same database family (or is given on SQLite or with a
 * transaction)
 * @example
 * ```ts
 * import knex from 'knex'
 * import { createCheckoutStore } from 'checkout-store'
 *
 * const db = knex({ client: 'pg', connection: process.env.DATABASE_URL })
 * const store = createCheckoutStore(db, { tablePrefix: 'checkout_' })
 * await store.migrate()
 * ```
 */
export function createCheckoutStore(
  db: Knex | Knex.Transaction,
  options: CheckoutStoreOptions = {},
): CheckoutStore {
  const tables = tableNames(options.tablePrefix ?? DEFAULT_TABLE_PREFIX)
  const dialect = detectDialect(db)
  if (options.preparedStatements !== undefined && typeof options.preparedStatements !== 'boolean') {
    throw new ValidationError([{ path: 'preparedStatements', message: 'must be a boolean' }])
  }
  if (options.preparedStatements === false) {
    unnamedStatements(db)
    if (options.reader) unnamedStatements(options.reader)
  }
  const router = routeReads(db, dialect, options.reader)
  const shared = createSharedState(dialect, router)
  const context = createStoreContext(db, dialect, tables, shared)

  const bind = (trx: Knex.Transaction): CheckoutStoreTransaction => {
    const bound = createStoreContext(trx, dialect, tables, shared)
    return {
      customers: translateErrors(createCustomerRepository(bound), dialect),
      orders: translateErrors(createOrderRepository(bound), dialect),
      payments: translateErrors(createPaymentRepository(bound), dialect),
      fulfillments: translateErrors(createFulfillmentRepository(bound), dialect),
      outbox: translateErrors(createOutboxRepository(bound), dialect),
      trx,
    }
  }

  // Every repository and store method throws only the store's errors: see translateErrors.
  return {
    customers: translateErrors(createCustomerRepository(context), dialect),
    orders: translateErrors(createOrderRepository(context), dialect),
    payments: translateErrors(createPaymentRepository(context), dialect),
    fulfillments: translateErrors(createFulfillmentRepository(context), dialect),
    outbox: translateErrors(createOutboxRepository(context), dialect),
    ...translateErrors(
      {
        migrate: () => migrateLatest(db, dialect, tables),
        rollback: () => rollbackAll(db, dialect, tables),
        pruneIdempotencyKeys: (options: PruneIdempotencyKeysOptions) =>
          pruneIdempotencyKeys(context, options),
      },
      dialect,
    ),
    migrationSource: createMigrationSource(tables),
    transaction: (fn) => hostTransaction(db, dialect, (trx) => fn(bind(trx))).finally(() => router.wrote()),
  }
}

/**
 * Runs the host's callback in a transaction, never twice (it may have effects outside the database).
 * What the callback throws is the host's and passes through untouched; a failure of BEGIN or COMMIT
 * is the store's and is translated.
 */
async function hostTransaction<T>(
  db: Knex,
  dialect: Dialect,
  fn: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  const thrown: { error?: unknown } = {}
  try {
    return await runTransaction(
      db,
      dialect,
      async (trx) => {
        try {
          return await fn(trx)
        } catch (error) {
          thrown.error = error
          throw error
        }
      },
      { retry: false },
    )
  } catch (error) {
    if ('error' in thrown && error === thrown.error) throw error
    throw translateError(error, dialect)
  }
}
