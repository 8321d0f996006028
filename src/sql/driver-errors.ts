import { REPLAN } from './statements.js'

/**
 * Driver error codes, one place for the three dialects (pg's SQLSTATE, MySQL's errno, SQLite's
 * extended result code names as better-sqlite3 reports them).
 */
export const UNIQUE_VIOLATION = {
  postgresql: '23505',
  mysql: 1062,
  sqlite3: ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'],
} as const

/** Foreign key violations: the referenced row does not exist. */
export const FOREIGN_KEY_VIOLATION = {
  postgresql: '23503',
  // 1452: cannot add or update a child row; 1216 is the older code for the same.
  mysql: [1452, 1216],
  sqlite3: ['SQLITE_CONSTRAINT_FOREIGNKEY'],
} as const

/**
 * Errors after which re-running the whole transaction can succeed: serialization failure and deadlock
 * on pg, deadlock and lock-wait timeout on MySQL, a busy or locked database on SQLite.
 */
export const TRANSIENT = {
  postgresql: ['40001', '40P01'],
  mysql: [1213, 1205],
  sqlite3: ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED'],
} as const

interface DriverError {
  code?: unknown
  errno?: unknown
}

function fields(error: unknown): DriverError {
  return typeof error === 'object' && error !== null ? (error as DriverError) : {}
}

/** True when `error` is a unique or primary key violation on any dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const { code, errno } = fields(error)
  return (
    code === UNIQUE_VIOLATION.postgresql ||
    errno === UNIQUE_VIOLATION.mysql ||
    (UNIQUE_VIOLATION.sqlite3 as readonly unknown[]).includes(code)
  )
}

/** True when `error` is a foreign key violation on any dialect. */
export function isForeignKeyViolation(error: unknown): boolean {
  const { code, errno } = fields(error)
  return (
    code === FOREIGN_KEY_VIOLATION.postgresql ||
    (FOREIGN_KEY_VIOLATION.mysql as readonly unknown[]).includes(errno) ||
    (FOREIGN_KEY_VIOLATION.sqlite3 as readonly unknown[]).includes(code)
  )
}

/** True when re-running the whole transaction may succeed. */
export function isTransientError(error: unknown): boolean {
  const { code, errno } = fields(error)
  return (
    (TRANSIENT.postgresql as readonly unknown[]).includes(code) ||
    (TRANSIENT.mysql as readonly unknown[]).includes(errno) ||
    (TRANSIENT.sqlite3 as readonly unknown[]).includes(code) ||
    (typeof error === 'object' && error !== null && REPLAN in error)
  )
}

/**
 * The store's tables or columns are not there: `migrate()` has not run on this database (or not since an
 * upgrade). pg: undefined table / column; MySQL: ER_NO_SUCH_TABLE, ER_BAD_FIELD_ERROR; SQLite reports
 * SQLITE_ERROR with the text `no such table` / `no such column`, so there the text decides.
 */
export const MISSING_SCHEMA = {
  postgresql: ['42P01', '42703'],
  mysql: [1146, 1054],
  sqlite3: /\bno such (table|column)\b/,
} as const

/** True when `error` says that a table or column of the store does not exist. */
export function isMissingSchema(error: unknown): boolean {
  const { code, errno } = fields(error)
  if ((MISSING_SCHEMA.postgresql as readonly unknown[]).includes(code)) return true
  if ((MISSING_SCHEMA.mysql as readonly unknown[]).includes(errno)) return true
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return false
  const message = (error as { message?: unknown }).message
  return typeof message === 'string' && MISSING_SCHEMA.sqlite3.test(message)
}

/**
 * Writes refused because the server or the session is read-only: pg's read-only transaction (a hot
 * standby, or `default_transaction_read_only`), MySQL's `--read-only` option and a read-only transaction.
 */
export const READ_ONLY = {
  postgresql: '25006',
  mysql: [1290, 1792],
} as const

/**
 * DDL that finds its object already there: a table (1050), an index (1061), a column (1060). On a Galera
 * cluster that is how a migration step another node has already applied answers.
 */
export const ALREADY_EXISTS = {
  mysql: [1050, 1060, 1061],
} as const

/** True when the server refused a write because it or the session is read-only. */
export function isReadOnlyError(error: unknown): boolean {
  const { code, errno } = fields(error)
  return code === READ_ONLY.postgresql || (READ_ONLY.mysql as readonly unknown[]).includes(errno)
}

/** True when MySQL DDL failed because its table, index or column already exists. */
export function isAlreadyExistsError(error: unknown): boolean {
  const { errno } = fields(error)
  if ((ALREADY_EXISTS.mysql as readonly unknown[]).includes(errno)) return true
  // A foreign key whose name is taken: MySQL 8 says so (1826); MariaDB fails the table change with 1005
  // and InnoDB's errno 121 ("Duplicate key on write or update") in the message.
  if (errno === DUPLICATE_FOREIGN_KEY.mysql) return true
  const message = (error as { message?: unknown }).message
  return errno === 1005 && typeof message === 'string' && /errno: 121\b/.test(message)
}

/** A foreign key constraint name already in use (MySQL 8; MariaDB reports 1005 with errno 121). */
const DUPLICATE_FOREIGN_KEY = { mysql: 1826 } as const
