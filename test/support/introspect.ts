import type { Knex } from 'knex'

/** The names of the tables in the test database, sorted. */
export async function listTables(db: Knex): Promise<string[]> {
  const dialect = (db.client as { dialect: string }).dialect
  let names: string[]
  if (dialect === 'postgresql') {
    const result = (await db.raw(
      "select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
    )) as { rows: Array<{ name: string }> }
    names = result.rows.map((r) => r.name)
  } else if (dialect === 'mysql') {
    const [rows] = (await db.raw(
      "select table_name as name from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE'",
    )) as [Array<{ name: string }>]
    names = rows.map((r) => r.name)
  } else {
    const rows = (await db.raw(
      "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'",
    )) as Array<{ name: string }>
    names = rows.map((r) => r.name)
  }
  return names.sort()
}

/** The columns of index `index` on `table`, in index order; empty when there is no such index. */
export async function indexColumns(db: Knex, table: string, index: string): Promise<string[]> {
  const dialect = (db.client as { dialect: string }).dialect
  if (dialect === 'postgresql') {
    const result = (await db.raw(
      `select a.attname as name
         from pg_index i
         join pg_class ic on ic.oid = i.indexrelid
         join pg_class tc on tc.oid = i.indrelid
         join pg_namespace n on n.oid = tc.relnamespace
         cross join lateral unnest(i.indkey::int2[]) with ordinality as k(attnum, position)
         join pg_attribute a on a.attrelid = tc.oid and a.attnum = k.attnum
        where n.nspname = current_schema() and tc.relname = ? and ic.relname = ?
        order by k.position`,
      [table, index],
    )) as { rows: Array<{ name: string }> }
    return result.rows.map((r) => r.name)
  }
  if (dialect === 'mysql') {
    const [rows] = (await db.raw(
      `select column_name as name from information_schema.statistics
        where table_schema = database() and table_name = ? and index_name = ? order by seq_in_index`,
      [table, index],
    )) as [Array<{ name: string }>]
    return rows.map((r) => r.name)
  }
  const owner = (await db.raw("select tbl_name from sqlite_master where type = 'index' and name = ?", [
    index,
  ])) as Array<{
    tbl_name: string
  }>
  if (owner[0]?.tbl_name !== table) return []
  const rows = (await db.raw('select name from pragma_index_info(?) order by seqno', [index])) as Array<{
    name: string
  }>
  return rows.map((r) => r.name)
}

/** The tables the library's migrations create under a prefix, without the prefix, sorted. */
export const LIBRARY_TABLES = [
  'addresses',
  'counters',
  'customer_emails',
  'customers',
  'fulfillment_keys',
  'fulfillment_lines',
  'fulfillments',
  'idempotency_keys',
  'migrations',
  'order_events',
  'order_lines',
  'orders',
  'outbox',
  'payment_keys',
  'payment_methods',
  'payment_transactions',
  'payments',
  'refund_lines',
] as const

/** The library's migrations, in order. */
export const MIGRATIONS = [
  '0001-initial',
  '0002-payment-methods-by-customer',
  '0003-payments',
  '0004-fulfillments',
  '0005-outbox',
  '0006-erasure',
  '0007-idempotency-retention',
]
