import { ValidationError } from '../errors.js'

/** The names of the library's tables under one prefix. */
export interface Tables {
  readonly customers: string
  readonly addresses: string
  readonly paymentMethods: string
  readonly orders: string
  readonly orderLines: string
  readonly orderEvents: string
  readonly idempotencyKeys: string
  readonly counters: string
  /** Each customer's previous emails, normalised, kept for erasure. */
  readonly customerEmails: string
  /** Payments of orders, each with its running sums. */
  readonly payments: string
  /** The payments' append-only ledger. */
  readonly paymentTransactions: string
  /** The order lines each refund gave back. */
  readonly refundLines: string
  /** Idempotency keys of payment calls. */
  readonly paymentKeys: string
  /** Parcels of an order's units, with carrier and tracking. */
  readonly fulfillments: string
  /** The units of each order line a fulfillment takes. */
  readonly fulfillmentLines: string
  /** Idempotency keys of `fulfillments.create`, scoped to their order. */
  readonly fulfillmentKeys: string
  /** The transactional outbox: every write's events, for relays to claim. */
  readonly outbox: string
  /** The library's own migration log, apart from the host's `knex_migrations`. */
  readonly migrations: string
  /** The lock table Knex's migrator creates beside `migrations` when a host runs our source itself. */
  readonly migrationsLock: string
  /** The cluster-wide migration lease, created on a MariaDB Galera cluster only. */
  readonly migrationLease: string
}

/** The default table prefix. */
export const DEFAULT_TABLE_PREFIX = 'checkout_'

// A plain SQL identifier prefix: starts with a letter or underscore, then letters, digits, underscores.
// Short enough that the longest table plus index names stay under MySQL's 64 characters.
const PREFIX_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,19}$/

/** Validates `prefix` and returns the table names it yields. */
export function tableNames(prefix: string): Tables {
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new ValidationError([
      {
        path: 'tablePrefix',
        message:
          'must be 1 to 20 characters: a letter or underscore, then letters, digits or underscores (no quotes or spaces)',
      },
    ])
  }
  return {
    customers: `${prefix}customers`,
    addresses: `${prefix}addresses`,
    paymentMethods: `${prefix}payment_methods`,
    orders: `${prefix}orders`,
    orderLines: `${prefix}order_lines`,
    orderEvents: `${prefix}order_events`,
    idempotencyKeys: `${prefix}idempotency_keys`,
    counters: `${prefix}counters`,
    customerEmails: `${prefix}customer_emails`,
    payments: `${prefix}payments`,
    paymentTransactions: `${prefix}payment_transactions`,
    refundLines: `${prefix}refund_lines`,
    paymentKeys: `${prefix}payment_keys`,
    fulfillments: `${prefix}fulfillments`,
    fulfillmentLines: `${prefix}fulfillment_lines`,
    fulfillmentKeys: `${prefix}fulfillment_keys`,
    outbox: `${prefix}outbox`,
    migrations: `${prefix}migrations`,
    migrationsLock: `${prefix}migrations_lock`,
    migrationLease: `${prefix}migration_lease`,
  }
}
