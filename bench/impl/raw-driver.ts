import type Database from 'better-sqlite3'
import type mysql from 'mysql2/promise'
import type pg from 'pg'
import { uuidv7 } from 'uuidv7'
import type { BenchDatabase } from '../databases.js'
import type { StatementCounter } from '../harness.js'
import type { BenchOrderInput, Implementation } from '../workload.js'
import { ORDER_NUMBER_COUNTER, TABLES } from '../workload.js'
import {
  type DriverRow,
  EVENT_COLUMNS,
  eventRow,
  LINE_COLUMNS,
  lineRows,
  ORDER_COLUMNS,
  orderRow,
  type SqlValue,
  toOrder,
  toOrders,
  valuesOf,
} from './rows.js'

/*
 * (c) The physical floor: the same statements as the Knex baseline, straight to the driver as prepared
 * statements (better-sqlite3 prepare, pg named statements, mysql2 execute), no query builder. W1 to W3.
 */

const placeholders = (count: number, from = 1, pg = false): string =>
  Array.from({ length: count }, (_, i) => (pg ? `$${from + i}` : '?')).join(', ')

const rowsPlaceholders = (rows: number, columns: number, pg: boolean): string =>
  Array.from({ length: rows }, (_, r) => `(${placeholders(columns, r * columns + 1, pg)})`).join(', ')

function insertSql(table: string, columns: readonly string[], rows: number, pg: boolean): string {
  return `insert into ${table} (${columns.join(', ')}) values ${rowsPlaceholders(rows, columns.length, pg)}`
}

const ORDERS_BY_CUSTOMER = (limit: string) =>
  `select * from ${TABLES.orders} where customer_id = ? order by created_at desc, id desc limit ${limit}`

/** The statements' texts with `?` placeholders; pg's are numbered by {@link numbered}. */
const SQL = {
  bumpReturning: `update ${TABLES.counters} set value = value + 1 where name = ? returning value`,
  bumpMysql: `update ${TABLES.counters} set value = last_insert_id(value + 1) where name = ?`,
  orderById: `select * from ${TABLES.orders} where id = ?`,
  linesByOrder: `select * from ${TABLES.orderLines} where order_id = ? order by position`,
}

function numbered(sql: string): string {
  let i = 0
  return sql.replace(/\?/g, () => `$${++i}`)
}

/** Creates the raw-driver implementation over the driver's own pool. */
export function createRawDriver(db: BenchDatabase, counter: StatementCounter): Implementation {
  const driver = db.driver
  if (driver.dialect === 'sqlite3') return sqliteRaw(driver.sqlite, counter)
  if (driver.dialect === 'postgresql') return postgresRaw(driver.pool, counter)
  return mysqlRaw(driver.pool, counter)
}

function rowsOf(
  input: BenchOrderInput,
  dialect: 'sqlite3' | 'postgresql' | 'mysql',
  number: number,
  id: string,
  at: Date,
) {
  return {
    order: valuesOf(ORDER_COLUMNS, orderRow(dialect, input, id, number, at)),
    lines: lineRows(input, id).flatMap((line) => valuesOf(LINE_COLUMNS, line)),
    lineCount: input.items.length,
    event: valuesOf(EVENT_COLUMNS, eventRow(dialect, id, at)),
  }
}

function sqliteRaw(sqlite: Database.Database, counter: StatementCounter): Implementation {
  const cache = new Map<string, Database.Statement>()
  const prepare = (sql: string): Database.Statement => {
    let statement = cache.get(sql)
    if (!statement) {
      statement = sqlite.prepare(sql)
      cache.set(sql, statement)
    }
    counter.record(sql)
    return statement
  }
  const insertOrder = insertSql(TABLES.orders, ORDER_COLUMNS, 1, false)
  const insertEvent = insertSql(TABLES.orderEvents, EVENT_COLUMNS, 1, false)
  const place = sqlite.transaction((id: string, input: BenchOrderInput) => {
    const bumped = prepare(SQL.bumpReturning).get(ORDER_NUMBER_COUNTER) as { value: number }
    const rows = rowsOf(input, 'sqlite3', Number(bumped.value), id, new Date())
    prepare(insertOrder).run(rows.order)
    prepare(insertSql(TABLES.orderLines, LINE_COLUMNS, rows.lineCount, false)).run(rows.lines)
    prepare(insertEvent).run(rows.event)
  })

  return {
    key: 'raw',
    label: '(c) raw driver',
    async createOrder(input) {
      const id = uuidv7()
      place(id, input)
      counter.recordControl(2) // better-sqlite3's BEGIN and COMMIT
      return id
    },
    async getOrder(id) {
      const row = prepare(SQL.orderById).get(id) as DriverRow | undefined
      if (!row) throw new Error(`order ${id} not found`)
      return toOrder(row, prepare(SQL.linesByOrder).all(id) as DriverRow[]).items.length
    },
    async listCustomerOrders(customerId, limit) {
      const rows = prepare(ORDERS_BY_CUSTOMER('?')).all(customerId, limit) as DriverRow[]
      const ids = rows.map((r) => String(r.id))
      const lines =
        ids.length === 0
          ? []
          : (prepare(
              `select * from ${TABLES.orderLines} where order_id in (${placeholders(ids.length)}) order by order_id, position`,
            ).all(ids) as DriverRow[])
      return summarise(toOrders(rows, lines))
    },
  }
}

function postgresRaw(pool: pg.Pool, counter: StatementCounter): Implementation {
  // A named statement is parsed and planned once per connection, then only bound and executed.
  const named = (name: string, text: string, values: SqlValue[] | unknown[]): pg.QueryConfig => {
    counter.record(text)
    return { name, text, values }
  }
  const insertOrder = insertSql(TABLES.orders, ORDER_COLUMNS, 1, true)
  const insertLines = (n: number) => insertSql(TABLES.orderLines, LINE_COLUMNS, n, true)
  const insertEvent = insertSql(TABLES.orderEvents, EVENT_COLUMNS, 1, true)

  return {
    key: 'raw',
    label: '(c) raw driver',
    async createOrder(input) {
      const id = uuidv7()
      const client = await pool.connect()
      try {
        counter.record('begin')
        await client.query('begin')
        const bumped = await client.query<{ value: string }>(
          named('bench_bump', numbered(SQL.bumpReturning), [ORDER_NUMBER_COUNTER]),
        )
        const rows = rowsOf(input, 'postgresql', Number(bumped.rows[0]?.value), id, new Date())
        await client.query(named('bench_insert_order', insertOrder, rows.order))
        await client.query(
          named(`bench_insert_lines_${rows.lineCount}`, insertLines(rows.lineCount), rows.lines),
        )
        await client.query(named('bench_insert_event', insertEvent, rows.event))
        counter.record('commit')
        await client.query('commit')
      } catch (error) {
        await client.query('rollback')
        throw error
      } finally {
        client.release()
      }
      return id
    },
    async getOrder(id) {
      const order = await pool.query<DriverRow>(named('bench_order_by_id', numbered(SQL.orderById), [id]))
      const row = order.rows[0]
      if (!row) throw new Error(`order ${id} not found`)
      const lines = await pool.query<DriverRow>(
        named('bench_lines_by_order', numbered(SQL.linesByOrder), [id]),
      )
      return toOrder(row, lines.rows).items.length
    },
    async listCustomerOrders(customerId, limit) {
      const orders = await pool.query<DriverRow>(
        named('bench_orders_by_customer', numbered(ORDERS_BY_CUSTOMER('?')), [customerId, limit]),
      )
      const ids = orders.rows.map((r) => String(r.id))
      const lines =
        ids.length === 0
          ? { rows: [] }
          : await pool.query<DriverRow>(
              named(
                'bench_lines_by_orders',
                `select * from ${TABLES.orderLines} where order_id = any($1) order by order_id, position`,
                [ids],
              ),
            )
      return summarise(toOrders(orders.rows, lines.rows))
    },
  }
}

function mysqlRaw(pool: mysql.Pool, counter: StatementCounter): Implementation {
  const insertOrder = insertSql(TABLES.orders, ORDER_COLUMNS, 1, false)
  const insertEvent = insertSql(TABLES.orderEvents, EVENT_COLUMNS, 1, false)
  // execute() prepares each text once per connection and reuses it.
  const execute = async (target: mysql.Pool | mysql.PoolConnection, sql: string, values: SqlValue[]) => {
    counter.record(sql)
    const [result] = await target.execute(sql, values)
    return result as unknown
  }

  return {
    key: 'raw',
    label: '(c) raw driver',
    async createOrder(input) {
      const id = uuidv7()
      const conn = await pool.getConnection()
      try {
        counter.record('begin')
        await conn.beginTransaction()
        const bumped = (await execute(conn, SQL.bumpMysql, [ORDER_NUMBER_COUNTER])) as { insertId: number }
        const rows = rowsOf(input, 'mysql', Number(bumped.insertId), id, new Date())
        await execute(conn, insertOrder, rows.order)
        await execute(conn, insertSql(TABLES.orderLines, LINE_COLUMNS, rows.lineCount, false), rows.lines)
        await execute(conn, insertEvent, rows.event)
        counter.record('commit')
        await conn.commit()
      } catch (error) {
        await conn.rollback()
        throw error
      } finally {
        conn.release()
      }
      return id
    },
    async getOrder(id) {
      const [row] = (await execute(pool, SQL.orderById, [id])) as DriverRow[]
      if (!row) throw new Error(`order ${id} not found`)
      return toOrder(row, (await execute(pool, SQL.linesByOrder, [id])) as DriverRow[]).items.length
    },
    async listCustomerOrders(customerId, limit) {
      // LIMIT as a literal: MySQL's binary protocol is picky about the type of a LIMIT parameter.
      const rows = (await execute(pool, ORDERS_BY_CUSTOMER(String(Math.trunc(limit))), [
        customerId,
      ])) as DriverRow[]
      const ids = rows.map((r) => String(r.id))
      const lines =
        ids.length === 0
          ? []
          : ((await execute(
              pool,
              `select * from ${TABLES.orderLines} where order_id in (${placeholders(ids.length)}) order by order_id, position`,
              ids,
            )) as DriverRow[])
      return summarise(toOrders(rows, lines))
    },
  }
}

function summarise(orders: ReadonlyArray<{ items: readonly unknown[] }>): [number, number] {
  return [orders.length, orders.reduce((sum, o) => sum + o.items.length, 0)]
}
