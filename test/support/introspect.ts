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
