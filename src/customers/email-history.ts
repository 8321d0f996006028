import type { Knex } from 'knex'
import { type DbDate, fromDbDate } from '../sql/values.js'

/*
 * The emails a customer had before an update replaced them, normalised (migration 0006). Guest orders
 * placed under any of them are the same person's data: anonymize erases those orders and then this
 * history, and export lists them.
 */

/**
 * An email a customer had, and when an update replaced it; listed by `customers.export` (with the date as
 * a string there).
 *
 * @example
 * ```ts
 * const { previousEmails } = await store.customers.export(ada.id)
 * previousEmails // [{ email: 'ada@old.example.com', replacedAt: '2026-01-31T09:15:00.000Z' }]
 * ```
 */
export interface PreviousEmail {
  /** The email, normalised (trimmed, lower-cased). */
  email: string
  /** When `customers.update` replaced it. */
  replacedAt: Date
}

/**
 * Keeps `emailNormalized` as one of the customer's previous emails, in the update's transaction `trx`.
 * The first time it was replaced stays: saving it again changes nothing.
 */
export async function recordReplacedEmail(
  trx: Knex.Transaction,
  table: string,
  customerId: string,
  emailNormalized: string,
  at: DbDate,
): Promise<void> {
  await trx(table)
    .insert({ customer_id: customerId, email_normalized: emailNormalized, replaced_at: at })
    .onConflict(['customer_id', 'email_normalized'])
    .ignore()
}

/** The customer's previous emails, oldest replacement first. */
export async function readPreviousEmails(
  db: Knex,
  table: string,
  customerId: string,
): Promise<PreviousEmail[]> {
  const rows = (await db(table)
    .select('email_normalized', 'replaced_at')
    .where('customer_id', customerId)
    .orderBy([{ column: 'replaced_at' }, { column: 'email_normalized' }])) as Array<{
    email_normalized: string
    replaced_at: unknown
  }>
  return rows.map((row) => ({ email: row.email_normalized, replacedAt: fromDbDate(row.replaced_at) }))
}
