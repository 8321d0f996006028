import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import knex, { type Knex } from 'knex'
import mysql from 'mysql2/promise'
import pg from 'pg'
import type { Dialect } from './workload.js'

/*
 * The three databases and one set of connection settings each, shared by every implementation: the
 * Knex pool (checkout-store, the Knex baseline, Objection) and the driver's own pool (raw driver,
 * Drizzle) are opened with the same host, database, pool size and per-connection settings.
 */

/** The databases the bench runs on. */
export type DatabaseName = 'sqlite' | 'postgresql' | 'mariadb'

/** All of them, in run order. */
export const DATABASE_NAMES: readonly DatabaseName[] = ['sqlite', 'postgresql', 'mariadb']

/** The database both server databases get. */
export const BENCH_DATABASE = 'checkout_bench'

/** Pool size on the server databases, for Knex and for the drivers' own pools alike. */
export const POOL_SIZE = 10

const PG = {
  host: process.env.BENCH_PG_HOST ?? '127.0.0.1',
  port: Number(process.env.BENCH_PG_PORT ?? 5432),
  user: process.env.BENCH_PG_USER ?? 'postgres',
  password: process.env.BENCH_PG_PASSWORD ?? '',
}

const MARIADB = {
  host: process.env.BENCH_MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.BENCH_MYSQL_PORT ?? 3306),
  user: process.env.BENCH_MYSQL_USER ?? 'root',
  password: process.env.BENCH_MYSQL_PASSWORD ?? '',
}

/** The SQLite file; the bench starts from an empty one every run. */
export const SQLITE_FILE = process.env.BENCH_SQLITE_FILE ?? join(tmpdir(), 'checkout_bench.db')

/**
 * Per-connection SQLite settings: WAL so readers never wait for the writer, foreign keys on (the
 * library refuses to write without them), and a busy timeout for the rare other process.
 * synchronous = NORMAL is the usual companion of WAL: a commit does not fsync, a checkpoint does.
 */
export const SQLITE_PRAGMAS = [
  'journal_mode = WAL',
  'foreign_keys = ON',
  'busy_timeout = 10000',
  'synchronous = NORMAL',
]

/** The driver-level handle for the raw driver and Drizzle. */
export type Driver =
  | { readonly dialect: 'sqlite3'; readonly sqlite: Database.Database }
  | { readonly dialect: 'postgresql'; readonly pool: pg.Pool }
  | { readonly dialect: 'mysql'; readonly pool: mysql.Pool }

/** One open database. */
export interface BenchDatabase {
  readonly name: DatabaseName
  readonly label: string
  readonly dialect: Dialect
  /** The Knex pool shared by checkout-store, the Knex baseline and Objection. */
  readonly knex: Knex
  /** The driver's own pool, shared by the raw driver and Drizzle. */
  readonly driver: Driver
  /** Closes both. */
  close(): Promise<void>
}

/** Opens `name`, creating the database (or an empty SQLite file) first. */
export async function openDatabase(name: DatabaseName): Promise<BenchDatabase> {
  if (name === 'sqlite') return openSqlite()
  if (name === 'postgresql') return openPostgres()
  return openMariaDb()
}

function openSqlite(): BenchDatabase {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(SQLITE_FILE + suffix, { force: true })
  const config: Knex.Config = {
    client: 'better-sqlite3',
    connection: { filename: SQLITE_FILE },
    useNullAsDefault: true,
    // One connection: better-sqlite3 is synchronous, so more would only queue behind the event loop.
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: Database.Database, done: (error: Error | null, conn: unknown) => void) {
        for (const pragma of SQLITE_PRAGMAS) conn.pragma(pragma)
        done(null, conn)
      },
    },
  }
  const sqlite = new Database(SQLITE_FILE)
  for (const pragma of SQLITE_PRAGMAS) sqlite.pragma(pragma)
  const db = knex(config)
  return {
    name: 'sqlite',
    label: 'SQLite (WAL file)',
    dialect: 'sqlite3',
    knex: db,
    driver: { dialect: 'sqlite3', sqlite },
    async close() {
      await db.destroy()
      sqlite.close()
    },
  }
}

async function openPostgres(): Promise<BenchDatabase> {
  const admin = new pg.Client({ ...PG, database: 'postgres' })
  await admin.connect()
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [BENCH_DATABASE])
    if (found.rowCount === 0) await admin.query(`create database ${BENCH_DATABASE}`)
  } finally {
    await admin.end()
  }
  const connection = { ...PG, database: BENCH_DATABASE }
  const db = knex({ client: 'pg', connection, pool: { min: 1, max: POOL_SIZE } })
  const pool = new pg.Pool({ ...connection, max: POOL_SIZE })
  return {
    name: 'postgresql',
    label: 'PostgreSQL',
    dialect: 'postgresql',
    knex: db,
    driver: { dialect: 'postgresql', pool },
    async close() {
      await db.destroy()
      await pool.end()
    },
  }
}

async function openMariaDb(): Promise<BenchDatabase> {
  const admin = await mysql.createConnection(MARIADB)
  try {
    await admin.query(
      `create database if not exists ${BENCH_DATABASE} character set utf8mb4 collate utf8mb4_bin`,
    )
  } finally {
    await admin.end()
  }
  // timezone 'Z': DATETIME(3) holds UTC, as the library expects.
  const connection = { ...MARIADB, database: BENCH_DATABASE, charset: 'utf8mb4', timezone: 'Z' }
  const db = knex({ client: 'mysql2', connection, pool: { min: 1, max: POOL_SIZE } })
  const pool = mysql.createPool({ ...connection, connectionLimit: POOL_SIZE })
  const [version] = (await pool.query('select version() as v')) as unknown as [Array<{ v: string }>]
  return {
    name: 'mariadb',
    label: `MariaDB ${version[0]?.v.split('-')[0] ?? ''}`.trim(),
    dialect: 'mysql',
    knex: db,
    driver: { dialect: 'mysql', pool },
    async close() {
      await db.destroy()
      await pool.end()
    },
  }
}

/** The databases chosen by BENCH_DBS (comma-separated; all by default). */
export function selectedDatabases(value = process.env.BENCH_DBS): DatabaseName[] {
  if (!value) return [...DATABASE_NAMES]
  const names = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
  const unknown = names.filter((n) => !(DATABASE_NAMES as readonly string[]).includes(n))
  if (unknown.length > 0) throw new Error(`BENCH_DBS names unknown databases: ${unknown.join(', ')}`)
  return names as DatabaseName[]
}
