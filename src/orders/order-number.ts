import type { Knex } from 'knex'
import { ORDER_NUMBER_COUNTER } from '../schema/0001-initial.js'
import type { Dialect } from '../sql/dialect.js'
import { fromDbInt } from '../sql/values.js'

/**
 * Takes `count` consecutive order numbers from the `order_number` counter row, in one statement, inside
 * the caller's transaction `trx`. The UPDATE locks the row until the transaction ends, so concurrent
 * writers take turns: numbers are unique, increase in commit order, and a rolled-back write gives its
 * numbers back (no gaps).
 *
 * @param trx - The write's transaction.
 * @param dialect - The database family.
 * @param table - The counters table.
 * @param count - How many numbers to take, at least 1.
 * @returns The first of the `count` numbers; the others follow it one by one.
 */
export async function nextOrderNumbers(
  trx: Knex.Transaction,
  dialect: Dialect,
  table: string,
  count: number,
): Promise<number> {
  if (dialect === 'mysql') {
    // MySQL has no UPDATE … RETURNING (and returning() must not be trusted there): LAST_INSERT_ID(expr)
    // sets the connection's insert id to the new value, which the OK packet of this very UPDATE carries.
    const [header] = (await trx.raw('update ?? set ?? = last_insert_id(?? + ?) where ?? = ?', [
      table,
      'value',
      'value',
      count,
      'name',
      ORDER_NUMBER_COUNTER,
    ])) as [{ insertId?: unknown; affectedRows?: unknown }, unknown]
    if (header.affectedRows !== 1) throw missingCounter(table)
    return fromDbInt(header.insertId) - count + 1
  }
  // pg and SQLite (3.35+) return the updated value from the same statement.
  const rows = (await trx(table)
    .where({ name: ORDER_NUMBER_COUNTER })
    .update({ value: trx.raw('?? + ?', ['value', count]) })
    .returning('value')) as Array<{ value: unknown }>
  const row = rows[0]
  if (!row) throw missingCounter(table)
  return fromDbInt(row.value) - count + 1
}

function missingCounter(table: string): Error {
  return new Error(
    `The ${ORDER_NUMBER_COUNTER} row of ${table} is missing: run store.migrate() on this database.`,
  )
}
