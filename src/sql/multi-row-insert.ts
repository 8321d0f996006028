import type { Knex } from 'knex'
import type { Dialect } from './dialect.js'
import { execute, identifier, identifiers, SqlFragment, type SqlStatement, sqlText } from './statements.js'

/**
 * Rows per INSERT at most. 1000 rows of the widest table (orders, 20 columns) bind 20,000 parameters,
 * within SQLite's 32,766 (3.32+) and pg's 65,535; mysql2 sends no bound parameters, only the text.
 */
export const MAX_ROWS_PER_INSERT = 1000

/** The fewest bound parameters any supported dialect allows in one statement (SQLite 3.32+). */
const MAX_BINDINGS = 32_766

/**
 * Bytes of values per INSERT at most. MySQL and MariaDB refuse a statement longer than
 * `max_allowed_packet` (4 MiB by default on MySQL 5.7, 16 MiB on MariaDB, 64 MiB on MySQL 8), and the
 * text mysql2 sends holds every value escaped, at worst twice as long: 2 MiB of values stays under all three.
 */
const MAX_BYTES_PER_INSERT = 2 * 1024 * 1024

/** One table's new rows, for {@link insertRowsTogether}. */
export interface RowsOf {
  readonly table: string
  /** The columns to write, in the order they are bound. */
  readonly columns: readonly string[]
  /** The rows, each with every column in `columns`. */
  readonly rows: readonly object[]
}

/**
 * Inserts `rows` with as few `INSERT … VALUES (…), (…)` statements as the dialects allow: a new statement
 * starts after {@link MAX_ROWS_PER_INSERT} rows, or once a statement holds 2 MiB of values. Rows keep
 * their order. Knex builds SQLite multi-row inserts as a UNION ALL of SELECTs, which SQLite caps at 500
 * terms; a VALUES list has no such cap, hence raw SQL. A value may be a {@link SqlFragment}: SQL the
 * database computes the value with.
 *
 * @param trx - The transaction to write in.
 * @param table - The table name.
 * @param columns - The columns to write, in the order they are bound.
 * @param rows - The rows, each with every column in `columns`.
 */
export async function insertRows<Row extends object>(
  trx: Knex.Transaction,
  table: string,
  columns: readonly (keyof Row & string)[],
  rows: readonly Row[],
): Promise<void> {
  for (const statement of insertStatements(trx, { table, columns, rows })) await execute(trx, statement)
}

/**
 * Inserts the rows of several tables, in the order given (a table's rows may reference the rows of a
 * table before it). On PostgreSQL, when each table's rows fit one statement and all of them stay within
 * the parameter limit, they go in one statement of data-modifying CTEs (`with a as (insert …), b as
 * (insert …) insert …`): one round trip instead of one per table. Foreign keys are checked at the end of
 * that statement, when every row is in. Elsewhere, and for larger writes, one {@link insertRows} per table.
 */
export async function insertRowsTogether(
  trx: Knex.Transaction,
  dialect: Dialect,
  inserts: readonly RowsOf[],
): Promise<void> {
  const nonEmpty = inserts.filter((insert) => insert.rows.length > 0)
  const statements = nonEmpty.map((insert) => insertStatements(trx, insert))
  const single = statements.every((list) => list.length === 1)
  const bindings = statements.reduce((sum, list) => sum + (list[0]?.bindings.length ?? 0), 0)
  if (dialect !== 'postgresql' || !single || statements.length < 2 || bindings > MAX_BINDINGS) {
    for (const list of statements) for (const statement of list) await execute(trx, statement)
    return
  }
  const parts = statements.map((list) => list[0] as SqlStatement)
  const last = parts.pop() as SqlStatement
  const sql = `with ${parts.map((part, i) => `w${i} as (${part.sql})`).join(', ')} ${last.sql}`
  await execute(trx, { sql, bindings: [...parts.flatMap((part) => part.bindings), ...last.bindings] })
}

/** The statements that insert `rows` into `table`, split as {@link insertRows} describes. */
function insertStatements(db: Knex, { table, columns, rows }: RowsOf): SqlStatement[] {
  const maxRows = Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_BINDINGS / columns.length))
  const head = sqlText(
    db,
    `insert:${table}:${columns.join(',')}`,
    () => `insert into ${identifier(db, table)} (${identifiers(db, ...columns).join(', ')}) values `,
  )
  const tuple = `(${columns.map(() => '?').join(', ')})`
  const statements: SqlStatement[] = []
  let start = 0
  while (start < rows.length) {
    const bindings: unknown[] = []
    const tuples: string[] = []
    let bytes = 0
    let end = start
    // The byte budget is checked before each row, so a statement always takes at least one row.
    while (end < rows.length && end - start < maxRows && bytes < MAX_BYTES_PER_INSERT) {
      const row = rows[end] as Record<string, unknown>
      let text: string[] | undefined
      for (let c = 0; c < columns.length; c++) {
        const value = row[columns[c] as string]
        if (value instanceof SqlFragment) {
          // A value computed by the database: its SQL in place of the placeholder, its bindings in order.
          text ??= columns.slice(0, c).map(() => '?')
          text.push(value.sql)
          bindings.push(...value.bindings)
          continue
        }
        if (typeof value === 'string') bytes += Buffer.byteLength(value)
        text?.push('?')
        bindings.push(value)
      }
      tuples.push(text === undefined ? tuple : `(${text.join(', ')})`)
      end++
    }
    statements.push({ sql: head + tuples.join(', '), bindings })
    start = end
  }
  return statements
}
