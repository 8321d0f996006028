import type { Knex } from 'knex'
import type { AddressRow } from './customer-row.js'

/** The columns that make two saved addresses of one customer the same address; defaults do not count. */
const ADDRESS_IDENTITY = [
  'name',
  'company',
  'line1',
  'line2',
  'city',
  'region',
  'postal_code',
  'country',
  'phone',
] as const satisfies ReadonlyArray<keyof AddressRow>

/**
 * The customer's saved address equal to `row` in every field of {@link ADDRESS_IDENTITY}, as stored: text
 * exactly (MySQL tables use a binary collation), the country upper-cased, a field left out equal to NULL.
 */
export async function findSameAddress(
  trx: Knex.Transaction,
  table: string,
  row: AddressRow,
): Promise<AddressRow | undefined> {
  const query = trx(table).where('customer_id', row.customer_id)
  for (const column of ADDRESS_IDENTITY) {
    const value = row[column]
    if (value === null) query.whereNull(column)
    else query.where(column, value)
  }
  return query.orderBy([{ column: 'created_at' }, { column: 'id' }]).first()
}
