import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import knex, { type Knex } from 'knex'
import { afterAll, beforeAll, describe } from 'vitest'

/**
 * The databases every capability is tested against. `DIALECTS=sqlite-memory,postgresql` narrows the
 * set while developing; unset, all run, and a database that cannot be reached fails its suites.
 */
export type DatabaseName = 'sqlite-memory' | 'sqlite-file' | 'postgresql' | 'mysql'

const ALL: readonly DatabaseName[] = ['sqlite-memory', 'sqlite-file', 'postgresql', 'mysql']

/** The databases selected by DIALECTS (all by default). */
export const databases: readonly DatabaseName[] = selectDatabases(process.env.DIALECTS)

function selectDatabases(value: string | undefined): DatabaseName[] {
  if (!value) return [...ALL]
  const names = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
  const unknown = names.filter((n) => !(ALL as readonly string[]).includes(n))
  if (unknown.length > 0)
    throw new Error(`DIALECTS names unknown databases: ${unknown.join(', ')}; use ${ALL.join(', ')}`)
  return names as DatabaseName[]
}

/** Where the server databases are; override for a non-default set-up. */
export const SERVERS = {
  postgresql: {
    host: process.env.TEST_PG_HOST ?? '127.0.0.1',
    port: Number(process.env.TEST_PG_PORT ?? 5432),
    user: process.env.TEST_PG_USER ?? 'postgres',
    password: process.env.TEST_PG_PASSWORD ?? '',
    database: 'test',
  },
  mysql: {
    host: process.env.TEST_MYSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.TEST_MYSQL_PORT ?? 3306),
    user: process.env.TEST_MYSQL_USER ?? 'root',
    password: process.env.TEST_MYSQL_PASSWORD ?? '',
    database: 'test',
  },
} as const

/** An isolated database for one test file, and how to open more connections to it. */
export interface TestDatabase {
  readonly name: DatabaseName
  /** A pooled Knex instance on the database (SQLite file: a pool of four). */
  readonly knex: Knex
  /** The Knex config; `connect()` opens another pool on the same database. */
  readonly config: Knex.Config
  /** Opens another Knex instance on the same database, with optional pool overrides. */
  connect(pool?: Knex.PoolConfig): Knex
  /** For SQLite files, the path; for servers, the database name. */
  readonly location: string
}

const sqlitePool = (max: number): Knex.PoolConfig => ({
  min: 1,
  max,
  // Per-connection settings a host puts in its pool: foreign keys on, wait for other writers.
  afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
    conn.pragma('foreign_keys = ON')
    conn.pragma('busy_timeout = 10000')
    done(null, conn)
  },
})

function uniqueName(): string {
  return `cs_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
}

/** Creates an isolated database of the given kind. */
export async function createTestDatabase(
  name: DatabaseName,
): Promise<TestDatabase & { destroy(): Promise<void> }> {
  const opened: Knex[] = []
  let config: Knex.Config
  let location: string
  let cleanup: () => Promise<void>

  if (name === 'sqlite-memory') {
    location = ':memory:'
    // One connection: every in-memory connection is a database of its own.
    config = {
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
      pool: sqlitePool(1),
    }
    cleanup = async () => {}
  } else if (name === 'sqlite-file') {
    const dir = join(tmpdir(), 'checkout-store-tests')
    mkdirSync(dir, { recursive: true })
    location = join(dir, `${uniqueName()}.db`)
    config = {
      client: 'better-sqlite3',
      connection: { filename: location },
      useNullAsDefault: true,
      pool: sqlitePool(4),
    }
    const file = location
    cleanup = async () => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true })
    }
  } else if (name === 'postgresql') {
    location = uniqueName()
    const admin = knex({
      client: 'pg',
      connection: SERVERS.postgresql,
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 10_000,
    })
    try {
      await admin.raw(`create database ${location}`)
    } catch (error) {
      throw unreachable('PostgreSQL', error)
    } finally {
      await admin.destroy()
    }
    config = {
      client: 'pg',
      connection: { ...SERVERS.postgresql, database: location },
      pool: { min: 0, max: 10 },
      acquireConnectionTimeout: 20_000,
    }
    const db = location
    cleanup = async () => {
      const dropper = knex({ client: 'pg', connection: SERVERS.postgresql, pool: { min: 0, max: 1 } })
      try {
        await dropper.raw(`drop database if exists ${db} with (force)`)
      } finally {
        await dropper.destroy()
      }
    }
  } else {
    location = uniqueName()
    const admin = knex({
      client: 'mysql2',
      connection: SERVERS.mysql,
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 10_000,
    })
    try {
      await admin.raw(`create database ${location} character set utf8mb4 collate utf8mb4_bin`)
    } catch (error) {
      throw unreachable('MariaDB/MySQL', error)
    } finally {
      await admin.destroy()
    }
    config = {
      client: 'mysql2',
      connection: { ...SERVERS.mysql, database: location, charset: 'utf8mb4', timezone: 'Z' },
      pool: { min: 0, max: 10 },
      acquireConnectionTimeout: 20_000,
    }
    const db = location
    cleanup = async () => {
      const dropper = knex({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } })
      try {
        await dropper.raw(`drop database if exists ${db}`)
      } finally {
        await dropper.destroy()
      }
    }
  }

  const connect = (pool?: Knex.PoolConfig): Knex => {
    const instance = knex({ ...config, pool: { ...config.pool, ...pool } })
    opened.push(instance)
    return instance
  }
  const main = connect()
  return {
    name,
    knex: main,
    config,
    connect,
    location,
    async destroy() {
      await Promise.all(opened.map((k) => k.destroy()))
      await cleanup()
    },
  }
}

function unreachable(server: string, error: unknown): Error {
  return new Error(
    `${server} is not reachable for the tests (see README, "Running the tests"): ${error instanceof Error ? error.message : String(error)}`,
    { cause: error },
  )
}

/**
 * Declares `fn`'s tests once per selected database, each in its own isolated database created before
 * the first test and dropped after the last. `except` leaves out databases on which the capability
 * does not exist (an in-memory SQLite database cannot outlive its process), rather than skipping them.
 */
export function describeEachDatabase(
  title: string,
  fn: (db: () => TestDatabase, name: DatabaseName) => void,
  options: { except?: readonly DatabaseName[] } = {},
): void {
  for (const name of databases.filter((n) => !options.except?.includes(n))) {
    describe(`${title} [${name}]`, () => {
      let database: (TestDatabase & { destroy(): Promise<void> }) | undefined
      beforeAll(async () => {
        database = await createTestDatabase(name)
      })
      afterAll(async () => {
        await database?.destroy()
      })
      fn(() => {
        if (!database) throw new Error(`the ${name} test database was not created`)
        return database
      }, name)
    })
  }
}
