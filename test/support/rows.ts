import type { Knex } from 'knex'
import { ORDER_NUMBER_COUNTER } from '../../src/schema/0001-initial.js'
import { tableNames } from '../../src/schema/tables.js'

/** The library's data tables, by their key in `Tables`. */
export const DATA_TABLES = [
  'customers',
  'addresses',
  'paymentMethods',
  'orders',
  'orderLines',
  'orderEvents',
  'idempotencyKeys',
] as const

/** How many rows each data table holds, plus the order number counter's value. */
export type RowCounts = Record<(typeof DATA_TABLES)[number] | 'orderNumber', number>

/**
 * Counts the rows of every library data table under `prefix` and reads the order number counter, in one
 * query, so a test can check that a failed call left everything as it was.
 */
export async function countRows(db: Knex, prefix = 'checkout_'): Promise<RowCounts> {
  const tables = tableNames(prefix)
  const columns = DATA_TABLES.map((key) => db.raw('(select count(*) from ??) as ??', [tables[key], key]))
  const counter = db.raw('(select ?? from ?? where ?? = ?) as ??', [
    'value',
    tables.counters,
    'name',
    ORDER_NUMBER_COUNTER,
    'orderNumber',
  ])
  // A FROM-less select works on all three dialects.
  const row = (await db.select([...columns, counter]).first()) as Record<string, unknown>
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)])) as RowCounts
}
