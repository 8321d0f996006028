import { createHash } from 'node:crypto'
import type { Knex } from 'knex'

/*
 * The store's own statements, run as prepared statements on the driver connection that the host's Knex
 * pool (or transaction) hands out. Knex stays the single source of truth for connections, pooling,
 * transactions and the host's configuration; what is skipped is its per-statement runner: a promise
 * chain, two event objects and, on SQLite, a fresh `prepare` of the same text on every call. The host
 * still observes every statement: `query`, `query-response` and `query-error` are emitted on the Knex
 * instance (and the transaction) with the same fields Knex gives them.
 *
 * - better-sqlite3: each connection keeps its prepared statements, by SQL text (bounded).
 * - pg: a named prepared statement per SQL text (bounded), so the server parses and plans it once per
 *   connection. A statement whose plan the server cannot reuse after a schema change (SQLSTATE 0A000) is
 *   run unnamed from then on.
 * - mysql2: the text protocol, as Knex runs it, on the pooled connection (prepared statements on MySQL
 *   bind numbers as doubles and change how some types come back; the gain is Knex's runner either way).
 */

/** A statement ready to run: SQL with `?` placeholders and its values in order. */
export interface SqlStatement {
  readonly sql: string
  readonly bindings: readonly unknown[]
}

/**
 * A piece of SQL with bindings of its own, written where a value goes (a value the database computes,
 * such as a subquery), in the statements the store builds itself.
 */
export class SqlFragment {
  constructor(
    readonly sql: string,
    readonly bindings: readonly unknown[],
  ) {}
}

/** What a statement can be given as: compiled already, or a Knex query builder or raw to compile. */
export type Runnable = SqlStatement | Knex.QueryBuilder | Knex.Raw

interface DriverResult {
  rows: Record<string, unknown>[]
  affected: number
}

interface Connection {
  __knexUid?: string
  __knexTxId?: string
}

interface SqliteStatement {
  readonly reader: boolean
  all(...bindings: unknown[]): Record<string, unknown>[]
  run(...bindings: unknown[]): { changes: number }
}

interface SqliteConnection extends Connection {
  prepare(sql: string): SqliteStatement
}

interface PgConnection extends Connection {
  query(
    config: { name?: string; text: string; values: unknown[] },
    callback: (
      error: Error | null,
      result: { rows: Record<string, unknown>[]; rowCount: number | null },
    ) => void,
  ): void
}

interface MysqlConnection extends Connection {
  query(
    options: { sql: string },
    values: unknown[],
    callback: (error: Error | null, result: unknown) => void,
  ): void
}

interface KnexClient {
  readonly dialect: string
  readonly config: object
  acquireConnection(): Promise<unknown>
  releaseConnection(connection: unknown): Promise<unknown>
  emit(event: string, ...args: unknown[]): boolean
}

/** Knex configurations whose pg connections must not keep named statements (see {@link unnamedStatements}). */
const unprepared = new WeakSet<object>()

/**
 * Runs the store's statements on `db` (and its transactions) unnamed on PostgreSQL: parsed and planned
 * on every call, as Knex runs them. For a connection pooler that hands a session's statements to
 * different server connections (PgBouncer in transaction mode before 1.21, or without
 * `max_prepared_statements`), where a statement prepared on one is missing on the next.
 */
export function unnamedStatements(db: Knex): void {
  unprepared.add((db.client as KnexClient).config)
}

/** Statements one connection keeps prepared, and distinct texts named on pg, at most. */
const MAX_PREPARED = 500

/**
 * Runs `statement` on `executor` (a Knex instance, or a transaction: then on its connection) and returns
 * the rows it produced: a SELECT's, or a write's `RETURNING` rows.
 */
export async function queryRows<T = Record<string, unknown>>(
  executor: Knex,
  statement: Runnable,
): Promise<T[]> {
  return (await runStatement(executor, statement)).rows as T[]
}

/** Runs `statement` on `executor` and returns the first row it produced, if any. */
export async function queryFirst<T = Record<string, unknown>>(
  executor: Knex,
  statement: Runnable,
): Promise<T | undefined> {
  return (await runStatement(executor, statement)).rows[0] as T | undefined
}

/** Runs a write on `executor` and returns how many rows it matched. */
export async function execute(executor: Knex, statement: Runnable): Promise<number> {
  return (await runStatement(executor, statement)).affected
}

/** Compiles a Knex builder or raw once, for a statement whose text and binding order never change. */
function compile(query: Knex.QueryBuilder | Knex.Raw): SqlStatement {
  const { sql, bindings } = query.toSQL()
  return { sql, bindings: bindings as readonly unknown[] }
}

async function runStatement(executor: Knex, runnable: Runnable): Promise<DriverResult> {
  const { sql, bindings } = isCompiled(runnable) ? runnable : compile(runnable)
  const client = executor.client as KnexClient
  // A finished transaction's connection is back in the pool, maybe in another caller's hands: refuse, as
  // Knex refuses a query on a completed transaction.
  if (executor.isTransaction && (executor as Knex.Transaction).isCompleted()) {
    throw new Error('Transaction query already complete')
  }
  const connection = (await client.acquireConnection()) as Connection
  const event = {
    __knexUid: connection.__knexUid,
    __knexTxId: connection.__knexTxId,
    method: 'raw',
    sql,
    bindings,
    options: {},
  }
  client.emit('query', event)
  try {
    const result = await runOnDriver(
      client.dialect,
      connection,
      sql,
      bindings as unknown[],
      executor.isTransaction === true,
      !unprepared.has(client.config),
    )
    client.emit('query-response', result.rows, event)
    return result
  } catch (error) {
    client.emit('query-error', error, event)
    throw error
  } finally {
    // A transaction's client hands out its own connection and takes nothing back.
    await client.releaseConnection(connection)
  }
}

function isCompiled(runnable: Runnable): runnable is SqlStatement {
  return typeof (runnable as { toSQL?: unknown }).toSQL !== 'function'
}

function runOnDriver(
  dialect: string,
  connection: Connection,
  sql: string,
  bindings: unknown[],
  inTransaction: boolean,
  named: boolean,
): Promise<DriverResult> {
  switch (dialect) {
    case 'sqlite3':
      return Promise.resolve(runSqlite(connection as SqliteConnection, sql, bindings))
    case 'postgresql':
      return runPg(connection as PgConnection, sql, bindings, inTransaction, named)
    default:
      return runMysql(connection as MysqlConnection, sql, bindings)
  }
}

const sqliteStatements = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>()

function runSqlite(connection: SqliteConnection, sql: string, bindings: unknown[]): DriverResult {
  let prepared = sqliteStatements.get(connection)
  if (prepared === undefined) {
    prepared = new Map()
    sqliteStatements.set(connection, prepared)
  }
  let statement = prepared.get(sql)
  if (statement === undefined) {
    statement = connection.prepare(sql)
    if (prepared.size >= MAX_PREPARED) prepared.clear()
    prepared.set(sql, statement)
  }
  const values = bindings.map(sqliteValue)
  if (statement.reader) {
    const rows = statement.all(...values)
    return { rows, affected: rows.length }
  }
  return { rows: [], affected: statement.run(...values).changes }
}

/** better-sqlite3 binds neither dates nor booleans: Knex stores them as milliseconds and 0/1. */
function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.valueOf()
  if (typeof value === 'boolean') return Number(value)
  return value
}

/**
 * Marks a pg error that a schema change under a prepared statement caused inside a transaction: the
 * transaction is worth running again (see `isTransientError`), as the statement now runs unprepared.
 */
export const REPLAN: unique symbol = Symbol('checkout-store.replan')

/** pg statement names by SQL text (each connection prepares its own on first use). */
const pgNames = new Map<string, string>()
/** Texts the server could not reuse a plan for: run unnamed from then on. */
const pgUnnamed = new Set<string>()

/**
 * The name of `sql`'s prepared statement: derived from the text itself, so that two copies of this
 * module in one process (an ESM and a CommonJS import) never give one name to two texts on a shared
 * connection. Past {@link MAX_PREPARED} texts, the rest run unnamed.
 */
function pgStatementName(sql: string): string | undefined {
  if (pgUnnamed.has(sql)) return undefined
  let name = pgNames.get(sql)
  if (name === undefined) {
    if (pgNames.size >= MAX_PREPARED) return undefined
    name = `checkout_store_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`
    pgNames.set(sql, name)
  }
  return name
}

async function runPg(
  connection: PgConnection,
  sql: string,
  bindings: unknown[],
  inTransaction: boolean,
  named: boolean,
): Promise<DriverResult> {
  const text = pgPositional(sql)
  const name = named ? pgStatementName(sql) : undefined
  try {
    return await pgQuery(connection, name, text, bindings)
  } catch (error) {
    // "cached plan must not change result type": the table changed under a prepared statement.
    if (name === undefined || (error as { code?: unknown }).code !== '0A000') throw error
    pgUnnamed.add(sql)
    // In a transaction the failed statement aborted it: marked, the store's retry runs the whole
    // transaction again, this statement unnamed.
    if (inTransaction) throw Object.assign(error as object, { [REPLAN]: true })
    return pgQuery(connection, undefined, text, bindings)
  }
}

function pgQuery(
  connection: PgConnection,
  name: string | undefined,
  text: string,
  values: unknown[],
): Promise<DriverResult> {
  return new Promise((resolve, reject) => {
    connection.query(name === undefined ? { text, values } : { name, text, values }, (error, result) => {
      if (error) reject(error)
      else resolve({ rows: result.rows ?? [], affected: result.rowCount ?? 0 })
    })
  })
}

const pgTexts = new Map<string, string>()

/**
 * `?` placeholders as pg's `$1, $2, …`, as Knex positions them: a `?` after an odd run of backslashes is
 * a literal `?`.
 */
function pgPositional(sql: string): string {
  let text = pgTexts.get(sql)
  if (text !== undefined) return text
  let n = 0
  text = sql.replace(/(\\*)(\?)/g, (_match, escapes: string) => (escapes.length % 2 ? '?' : `$${++n}`))
  if (pgTexts.size >= MAX_PREPARED) pgTexts.clear()
  pgTexts.set(sql, text)
  return text
}

function runMysql(connection: MysqlConnection, sql: string, bindings: unknown[]): Promise<DriverResult> {
  return new Promise((resolve, reject) => {
    connection.query({ sql }, bindings, (error, result) => {
      if (error) reject(error)
      else if (Array.isArray(result))
        resolve({ rows: result as Record<string, unknown>[], affected: result.length })
      else resolve({ rows: [], affected: Number((result as { affectedRows?: number }).affectedRows ?? 0) })
    })
  })
}

/** SQL texts built once per Knex configuration (a transaction shares its instance's) and key. */
const texts = new WeakMap<object, Map<string, string>>()

/**
 * The SQL text `build` makes for `db`, built on the first call for this Knex configuration and `key`
 * and reused after: for the store's hottest statements, whose text depends only on the table names and
 * the dialect, so that no query builder is made and compiled on every call. `key` must name everything
 * the text depends on (the table names included).
 */
export function sqlText(db: Knex, key: string, build: () => string): string {
  const config = (db.client as { config: object }).config
  let byKey = texts.get(config)
  if (byKey === undefined) {
    byKey = new Map()
    texts.set(config, byKey)
  }
  let text = byKey.get(key)
  if (text === undefined) {
    text = build()
    if (byKey.size >= MAX_PREPARED) byKey.clear()
    byKey.set(key, text)
  }
  return text
}

/** `name` quoted as an identifier the way `db` quotes it (the host's `wrapIdentifier` included). */
export function identifier(db: Knex, name: string): string {
  return db.raw('??', [name]).toSQL().sql
}

/** `names`, each quoted as an identifier the way `db` quotes it, in order. */
export function identifiers(db: Knex, ...names: string[]): string[] {
  return names.map((name) => identifier(db, name))
}

/** `n` placeholders, comma-separated, for an `in (…)` list. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ')
}

/**
 * The clause that makes a SELECT a locking read on the servers (`for share`, `for update`); none on
 * SQLite, whose writers take turns on the whole file.
 */
export function lockClause(dialect: string, mode: 'share' | 'update'): string {
  if (dialect === 'sqlite3') return ''
  if (mode === 'update') return ' for update'
  // MariaDB and MySQL 5.7 know only the older spelling.
  return dialect === 'mysql' ? ' lock in share mode' : ' for share'
}
