import type { Knex } from 'knex'
import { isAlreadyExistsError } from '../sql/driver-errors.js'

const DDL = /^\s*(create|alter)\b/i

interface QueryClient {
  _query(connection: unknown, query: { sql: string; response?: unknown }): Promise<unknown>
}

/**
 * Makes the DDL run on `trx` converge on a MariaDB Galera cluster: a CREATE or ALTER that fails because
 * its table (1050), column (1060) or index (1061) already exists counts as done. Galera applies DDL on
 * every node at once and outside any transaction, so a migration step can already be there when its
 * migration is not yet logged: another node applied it, or a holder of the migration lease died between
 * the step and the log. Running the migration again then completes it instead of failing forever.
 *
 * Only this transaction's own client is changed (Knex gives every transaction one of its own), so the
 * host's queries elsewhere never swallow an error.
 *
 * @param trx - The migration's transaction on a Galera node.
 */
export function convergeDdl(trx: Knex.Transaction): void {
  const client = trx.client as unknown as QueryClient
  const run = client._query.bind(client)
  client._query = async (connection, query) => {
    try {
      return await run(connection, query)
    } catch (error) {
      if (!DDL.test(query.sql) || !isAlreadyExistsError(error)) throw error
      query.response = [{ affectedRows: 0, warningStatus: 1 }, undefined]
      return query
    }
  }
}
