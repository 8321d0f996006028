import type { Knex } from 'knex'
import { ConfigurationError } from '../errors.js'
import type { Dialect } from '../sql/dialect.js'

/** What the store needs to know about the server behind a connection before it writes there. */
export interface ServerRole {
  /** True on a node of a MariaDB Galera cluster with replication on (`wsrep_on`): every node takes writes. */
  readonly galera: boolean
  /** True on a PostgreSQL hot standby, a read-only pg session, or a MariaDB/MySQL server in `read_only`. */
  readonly readOnly: boolean
}

export const SINGLE_WRITABLE: ServerRole = { galera: false, readOnly: false }

/**
 * Asks the server behind `db` whether it is a Galera node and whether it takes writes: one statement.
 *
 * @param db - A Knex instance or transaction.
 * @param dialect - Its database family.
 */
export async function inspectServer(db: Knex, dialect: Dialect): Promise<ServerRole> {
  if (dialect === 'postgresql') {
    const { rows } = (await db.raw(
      "select pg_is_in_recovery() as standby, current_setting('transaction_read_only') as read_only",
    )) as { rows: Array<{ standby: unknown; read_only: unknown }> }
    const row = rows[0]
    return { galera: false, readOnly: row?.standby === true || row?.read_only === 'on' }
  }
  if (dialect === 'mysql') {
    // SHOW VARIABLES, not @@wsrep_on: MySQL (and a MariaDB built without wsrep) has no such variable,
    // and selecting it would fail where SHOW just leaves the row out.
    const [rows] = (await db.raw("show variables where variable_name in ('wsrep_on', 'read_only')")) as [
      Array<{ Variable_name: string; Value: unknown }>,
    ]
    const value = (name: string) => rows.find((r) => r.Variable_name.toLowerCase() === name)?.Value
    return {
      galera: String(value('wsrep_on')).toUpperCase() === 'ON',
      readOnly: String(value('read_only')).toUpperCase() === 'ON',
    }
  }
  return SINGLE_WRITABLE
}

/** The error for a write, or a migration, sent to a server that does not take writes. */
export function readOnlyServerError(): ConfigurationError {
  return new ConfigurationError(
    'The store is connected to a read-only server (a PostgreSQL standby, a read-only session, or a ' +
      'MariaDB/MySQL server in read_only): give createCheckoutStore the primary, and a replica as { reader }.',
  )
}
