import { randomInt } from 'node:crypto'
import type { Knex } from 'knex'
import { ConfigurationError } from '../errors.js'
import { ORDER_NUMBER_COUNTER } from '../schema/0001-initial.js'
import { clockMillisSql } from '../sql/clock.js'
import type { Dialect } from '../sql/dialect.js'
import { queryFirst } from '../sql/statements.js'
import { fromDbInt } from '../sql/values.js'

/** A run of order numbers and the database's time when they were taken. */
export interface TakenNumbers {
  /** The first number; the others follow it one by one. */
  readonly first: number
  /** The database clock, read after the counter row was locked: the orders' `createdAt`. */
  readonly now: Date
}

/**
 * Takes `count` consecutive order numbers from the `order_number` counter row, inside the caller's
 * transaction `trx`, and reads the database clock after the row is locked. The UPDATE locks the row until
 * the transaction ends, so concurrent writers take turns: numbers are unique, increase in commit order,
 * and a rolled-back write gives its numbers back (no gaps). Because the clock is read only once the lock
 * is held, a later number never gets an earlier time, whichever app host's clock is ahead: on one
 * database server, `createdAt` order and number order agree. pg and SQLite do both in one statement;
 * MySQL, which has no UPDATE … RETURNING, reads the clock in a second one.
 *
 * On a MariaDB Galera cluster (`galera`) every node takes writes, and one counter row written
 * by every create would make most of them fail certification. There each node numbers from a block of
 * its own ({@link nextFromNodeBlock}): numbers stay unique, increase per node, and are no longer in
 * commit order across nodes nor free of gaps.
 *
 * @param trx - The write's transaction.
 * @param dialect - The database family.
 * @param table - The counters table.
 * @param count - How many numbers to take, at least 1.
 * @param galera - True when the server is a node of a Galera cluster.
 * @returns The first of the `count` numbers (the others follow it one by one) and the database's time.
 * @throws `CONFIGURATION_INVALID` when the counter row is missing (migrations not run).
 */
export async function nextOrderNumbers(
  trx: Knex.Transaction,
  dialect: Dialect,
  table: string,
  count: number,
  galera = false,
): Promise<TakenNumbers> {
  const clock = clockMillisSql(dialect)
  if (dialect === 'mysql') {
    const first = await takeOrderNumbers(trx, table, count, galera)
    // UTC_TIMESTAMP is this statement's start, which comes after the UPDATE above took the lock.
    const [rows] = (await trx.raw(`select ${clock} as ??`, ['now_ms'])) as [Array<{ now_ms: unknown }>]
    return { first, now: new Date(fromDbInt(rows[0]?.now_ms)) }
  }
  // pg and SQLite (3.35+) return the updated value, and the clock read after the row lock, from the
  // same statement: RETURNING is evaluated once the row is updated.
  const row = await queryFirst<{ value: unknown; now_ms: unknown }>(
    trx,
    trx.raw(`update ?? set ?? = ?? + ? where ?? = ? returning ??, ${clock} as ??`, [
      table,
      'value',
      'value',
      count,
      'name',
      ORDER_NUMBER_COUNTER,
      'value',
      'now_ms',
    ]),
  )
  if (!row) throw missingCounter(table)
  return { first: fromDbInt(row.value) - count + 1, now: new Date(fromDbInt(row.now_ms)) }
}

/**
 * MySQL/MariaDB: takes `count` consecutive order numbers and returns the first, without reading the
 * clock (the caller reads it in a later statement of the same transaction). On a Galera node they come
 * from the node's block.
 *
 * @throws `CONFIGURATION_INVALID` when the counter row is missing.
 */
export async function takeOrderNumbers(
  trx: Knex.Transaction,
  table: string,
  count: number,
  galera: boolean,
): Promise<number> {
  if (galera) return nextFromNodeBlock(trx, table, count)
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

/**
 * The id of the order numbered `number`, created at `at`: a UUIDv7 whose timestamp is `at` and whose
 * next 53 bits (where RFC 9562 allows a counter) are the number, then 21 random bits. Lists sort on
 * (created_at, id), so orders stamped in the same millisecond by the database clock still list in number
 * order, whichever host made their ids. Unique because numbers are.
 *
 * @param at - The order's `createdAt`, whole milliseconds.
 * @param number - The order's number, a safe integer.
 */
export function orderIdFor(at: Date, number: number): string {
  const n = BigInt(number)
  const randA = (n >> 41n) & 0xfffn
  const randB = ((n & ((1n << 41n) - 1n)) << 21n) | BigInt(randomInt(0, 1 << 21))
  const value = (BigInt(at.getTime()) << 80n) | (0x7n << 76n) | (randA << 64n) | (0x2n << 62n) | randB
  const hex = value.toString(16).padStart(32, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** How many numbers a Galera node takes from the shared counter at a time. */
export const NODE_BLOCK_SIZE = 100

/**
 * Galera numbering: the node's own counter row (`order_number@<wsrep_node_name>`, named by the server
 * itself, so a pool spread over nodes by a proxy still uses the right row) holds the last number it handed
 * out from its current block; blocks are the aligned runs (k·100, (k+1)·100] taken from the shared
 * `order_number` row. Inside a block a create writes only its node's row, which no other node writes,
 * so it never conflicts with creates on other nodes; once per block it also moves the shared row,
 * where a conflict costs one retry of the whole transaction. Creates on one node take turns on the
 * node's row as on a single server, and a rolled-back create gives its number back to the block. A
 * block a node leaves unfinished (it left the cluster, or a batch needed a fresh run) is a gap.
 */
async function nextFromNodeBlock(trx: Knex.Transaction, table: string, count: number): Promise<number> {
  const size = NODE_BLOCK_SIZE
  // Inside the node's block when `count` more fit: one statement, as on a single server.
  const [inBlock] = (await trx.raw(
    `update ?? set ?? = last_insert_id(?? + ?) where ?? = ${NODE_ROW} and mod(??, ?) <> 0 and mod(??, ?) + ? <= ?`,
    [table, 'value', 'value', count, 'name', 'value', size, 'value', size, count, size],
  )) as [{ insertId?: unknown; affectedRows?: unknown }, unknown]
  if (inBlock.affectedRows === 1) return fromDbInt(inBlock.insertId) - count + 1
  // A fresh run of whole blocks from the shared counter, aligned up from wherever it stands (a database
  // numbered by a single primary before leaves the rest of its current hundred as a gap, once).
  const blocks = Math.ceil(count / size)
  const [shared] = (await trx.raw('update ?? set ?? = last_insert_id((ceil(?? / ?) + ?) * ?) where ?? = ?', [
    table,
    'value',
    'value',
    size,
    blocks,
    size,
    'name',
    ORDER_NUMBER_COUNTER,
  ])) as [{ insertId?: unknown; affectedRows?: unknown }, unknown]
  if (shared.affectedRows !== 1) throw missingCounter(table)
  const first = fromDbInt(shared.insertId) - blocks * size + 1
  await trx.raw(`insert into ?? (??, ??) values (${NODE_ROW}, ?) on duplicate key update ?? = values(??)`, [
    table,
    'name',
    'value',
    first + count - 1,
    'value',
    'value',
  ])
  return first
}

// The node's counter row: the shared counter's name, '@', the node's name (cut to fit the 64-character
// key; two nodes whose names agree that far share a row, which costs conflicts, never duplicates).
const NODE_ROW = `concat('${ORDER_NUMBER_COUNTER}@', left(@@wsrep_node_name, ${64 - ORDER_NUMBER_COUNTER.length - 1}))`

function missingCounter(table: string): Error {
  return new ConfigurationError(
    `The ${ORDER_NUMBER_COUNTER} row of ${table} is missing: run store.migrate() on this database.`,
  )
}
