import { CheckoutStoreError, ConfigurationError, DatabaseError } from '../errors.js'
import type { Dialect } from './dialect.js'
import { isMissingSchema } from './driver-errors.js'

/*
 * The one place where errors from the driver (and from Knex itself) become the store's errors, applied
 * once to every public method by {@link translateErrors}. Inside a method, code still sees the raw driver
 * error, so a unique violation can be turned into DUPLICATE_EMAIL or an idempotent replay first; whatever
 * is left untranslated when the error leaves the method becomes DATABASE_ERROR here.
 *
 * No error leaving the store may carry the caller's values: Knex prefixes the driver's message with the
 * SQL and its bindings, pg's `detail` repeats a rejected key, mysql2's `sql` holds the statement with its
 * values inlined, and Knex's pool timeout carries the statement's `bindings`. `util.inspect`, and every
 * logger that serialises `cause`, would print them. So the `cause` kept is a copy holding only the codes;
 * a host that wants the statement for its own diagnostics has it from Knex's `query-error` event, on its
 * side of the boundary.
 */

interface DriverFields {
  name?: unknown
  code?: unknown
  errno?: unknown
  sqlState?: unknown
}

/** Node's network error codes: the database cannot be reached at all. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE'])

/**
 * The driver's code of `error`: a SQLSTATE on pg, the errno (with its symbolic name) on MySQL/MariaDB,
 * the result code on SQLite, Node's code for network errors, else the error's class name.
 */
export function driverCodeOf(error: unknown): string {
  const { name, code, errno } = fieldsOf(error)
  if (typeof errno === 'number' && typeof code === 'string' && code.startsWith('ER_')) return String(errno)
  if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) return code
  if (typeof errno === 'number') return String(errno)
  return typeof name === 'string' && /^[A-Za-z]{1,64}$/.test(name) ? name : 'UNKNOWN'
}

/**
 * A copy of a driver error that keeps its class name and codes and nothing else: no message text from
 * the driver, no SQL, no bindings, no `detail`.
 */
export function driverCause(error: unknown): Error {
  const fields = fieldsOf(error)
  const code = driverCodeOf(error)
  const cause = new Error(`driver error ${code} (details withheld: they may hold input values)`)
  if (typeof fields.name === 'string' && /^[A-Za-z]{1,64}$/.test(fields.name)) cause.name = fields.name
  const kept: Record<string, unknown> = {}
  if (typeof fields.code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(fields.code)) kept.code = fields.code
  if (typeof fields.errno === 'number') kept.errno = fields.errno
  if (typeof fields.sqlState === 'string' && /^[A-Z0-9]{5}$/.test(fields.sqlState))
    kept.sqlState = fields.sqlState
  return Object.assign(cause, kept)
}

/**
 * Translates any error leaving a public method: the store's own errors pass through; a missing table or
 * column becomes CONFIGURATION_INVALID ("run store.migrate()"); everything else becomes DATABASE_ERROR
 * naming the driver's code.
 */
export function translateError(error: unknown, dialect: Dialect): CheckoutStoreError {
  if (error instanceof CheckoutStoreError) return error
  const code = driverCodeOf(error)
  if (isMissingSchema(error)) {
    return new ConfigurationError(
      `The store's tables are missing or out of date on this database (${describe(dialect, error, code)}): ` +
        'run store.migrate() before using the store.',
    )
  }
  return new DatabaseError(code, `${headline(dialect, error, code)}: ${advice(error, code)}`, {
    cause: driverCause(error),
  })
}

/**
 * Wraps every method of `target` (a repository, or the store's own methods) so that what it throws passes
 * through {@link translateError}. Applied once per repository where the store is assembled, so no method
 * has to remember it.
 */
export function translateErrors<T extends object>(target: T, dialect: Dialect): T {
  const wrapped: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      wrapped[key] = value
      continue
    }
    const method = value as (...args: unknown[]) => unknown
    wrapped[key] = async (...args: unknown[]) => {
      try {
        return await method.apply(target, args)
      } catch (error) {
        throw translateError(error, dialect)
      }
    }
  }
  return wrapped as T
}

function fieldsOf(error: unknown): DriverFields {
  return typeof error === 'object' && error !== null ? (error as DriverFields) : {}
}

function isKnexTimeout(error: unknown): boolean {
  return fieldsOf(error).name === 'KnexTimeoutError'
}

function describe(dialect: Dialect, error: unknown, code: string): string {
  const { code: symbol, errno } = fieldsOf(error)
  if (typeof errno === 'number' && typeof symbol === 'string' && symbol.startsWith('ER_'))
    return `MySQL/MariaDB error ${errno} ${symbol}`
  if (UNREACHABLE.has(code)) return `network error ${code}`
  if (dialect === 'postgresql' && /^[0-9A-Z]{5}$/.test(code)) return `PostgreSQL SQLSTATE ${code}`
  if (dialect === 'sqlite3' && code.startsWith('SQLITE_')) return `SQLite ${code}`
  return code
}

function headline(dialect: Dialect, error: unknown, code: string): string {
  if (isKnexTimeout(error))
    return 'No database connection became free in time (KnexTimeoutError from the Knex pool)'
  return `The database failed the operation (${describe(dialect, error, code)})`
}

/** What to check, by the kind of failure; the SQL and its values are never repeated. */
function advice(error: unknown, code: string): string {
  if (isKnexTimeout(error))
    return 'check pool.max and acquireConnectionTimeout, and look for transactions held open or queries missing .transacting(trx).'
  if (
    UNREACHABLE.has(code) ||
    code.startsWith('08') ||
    code === '57P01' ||
    code === '2002' ||
    code === '2013'
  )
    return 'check that the database is running and reachable from this host; the operation may be retried.'
  if (code === '42501' || code === '1142' || code === '1044' || code === '1045' || code === 'SQLITE_READONLY')
    return "check the database user's privileges on the store's tables."
  if (code.startsWith('53') || code === 'SQLITE_FULL' || code === '1040')
    return 'the database is out of resources (connections, disk or memory); check its limits and log.'
  return "check the database's log for this code; the statement and its values are not repeated here."
}
