import type { Knex } from 'knex'
import { tableNames } from '../../src/schema/tables.js'
import { listTables } from './introspect.js'

/**
 * Every text, varchar and JSON value in every table of the library under `prefix` (tables found in the
 * database itself, so a table added later is scanned too), with where it was found.
 */
export async function allTextValues(
  knex: Knex,
  prefix = 'checkout_',
): Promise<Array<{ where: string; value: string }>> {
  const found: Array<{ where: string; value: string }> = []
  const known = new Set(Object.values(tableNames(prefix)))
  const tables = (await listTables(knex)).filter((t) => t.startsWith(prefix) || known.has(t))
  for (const table of tables) {
    const info = (await knex(table).columnInfo()) as unknown as Record<string, { type: string }>
    const columns = Object.entries(info)
      .filter(([, c]) => /char|text|json|clob/i.test(c.type))
      .map(([name]) => name)
    if (columns.length === 0) continue
    const rows: Array<Record<string, unknown>> = await knex(table).select(columns)
    for (const row of rows) {
      for (const column of columns) {
        const value = row[column]
        if (value === null || value === undefined) continue
        found.push({
          where: `${table}.${column}`,
          value: Buffer.isBuffer(value) ? value.toString('utf8') : String(value),
        })
      }
    }
  }
  return found
}

/** The stored values that contain any of `secrets`, ignoring case. */
export async function leaksOf(
  knex: Knex,
  secrets: readonly string[],
  prefix = 'checkout_',
): Promise<Array<{ where: string; value: string }>> {
  const lower = secrets.map((s) => s.toLowerCase())
  return (await allTextValues(knex, prefix)).filter((v) =>
    lower.some((s) => v.value.toLowerCase().includes(s)),
  )
}
