import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import knex, { type Knex } from 'knex'

/*
 * The two topologies the scale-out suite runs on, started by scripts/galera.sh and scripts/pg-replica.sh
 * (see global-setup.ts), and an isolated database on each per test file.
 */

/** Client ports of the three Galera nodes (scripts/galera.sh). */
export const GALERA_PORTS = [3311, 3312, 3313] as const
/** PostgreSQL primary and streaming standby (scripts/pg-replica.sh). */
export const PG_PORTS = {
  primary: Number(process.env.PG_PRIMARY_PORT ?? 5441),
  replica: Number(process.env.PG_REPLICA_PORT ?? 5442),
} as const

const scripts = resolve(import.meta.dirname, '../../scripts')
const run = promisify(execFile)

/** Runs `scripts/<name> <verb>` and returns its output; a failure throws with the script's output. */
export async function script(name: 'galera.sh' | 'pg-replica.sh', verb: 'start' | 'stop'): Promise<string> {
  const { stdout } = await run(resolve(scripts, name), [verb], { timeout: 300_000 })
  return stdout.trim()
}

function uniqueName(): string {
  return `so_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
}

/** A database on the Galera cluster, and pools on each node. */
export interface GaleraDatabase {
  readonly name: string
  /** A pool on node `i` (0, 1 or 2); `afterCreate` and other pool settings may be given. */
  connect(node: number, pool?: Knex.PoolConfig): Knex
  /**
   * A pool on node `i` whose reads wait for the whole cluster (`wsrep_sync_wait = 1`): what a test
   * checks results with, so that a check never misses a commit made on another node.
   */
  causal(node: number): Knex
  destroy(): Promise<void>
}

const galeraConnection = (port: number, database?: string) => ({
  host: '127.0.0.1',
  port,
  user: 'root',
  password: '',
  charset: 'utf8mb4',
  timezone: 'Z',
  ...(database ? { database } : {}),
})

/** The pool setting that makes a Galera session's reads causal. */
export const causalReads: Knex.PoolConfig = {
  afterCreate(
    conn: { query(sql: string, cb: (err: Error | null) => void): void },
    done: (err: Error | null, conn: unknown) => void,
  ) {
    conn.query('set session wsrep_sync_wait = 1', (err) => done(err, conn))
  },
}

/** Creates a database on the cluster (DDL reaches every node before it returns). */
export async function createGaleraDatabase(): Promise<GaleraDatabase> {
  const name = uniqueName()
  const admin = knex({
    client: 'mysql2',
    connection: galeraConnection(GALERA_PORTS[0]),
    pool: { min: 0, max: 1 },
  })
  try {
    await admin.raw(`create database ${name} character set utf8mb4 collate utf8mb4_bin`)
  } finally {
    await admin.destroy()
  }
  const opened: Knex[] = []
  const connect = (node: number, pool?: Knex.PoolConfig): Knex => {
    const port = GALERA_PORTS[node] as number
    const instance = knex({
      client: 'mysql2',
      connection: galeraConnection(port, name),
      pool: { min: 0, max: 10, ...pool },
      acquireConnectionTimeout: 30_000,
    })
    opened.push(instance)
    return instance
  }
  return {
    name,
    connect,
    causal: (node) => connect(node, causalReads),
    async destroy() {
      await Promise.all(opened.map((k) => k.destroy()))
      const dropper = knex({
        client: 'mysql2',
        connection: galeraConnection(GALERA_PORTS[0]),
        pool: { min: 0, max: 1 },
      })
      try {
        await dropper.raw(`drop database if exists ${name}`)
      } finally {
        await dropper.destroy()
      }
    },
  }
}

/** A database on the PostgreSQL primary, its replica, and pools on both. */
export interface ReplicatedDatabase {
  readonly name: string
  /** A new pool on the primary. */
  primary(pool?: Knex.PoolConfig): Knex
  /** A new pool on the standby. */
  replica(pool?: Knex.PoolConfig): Knex
  destroy(): Promise<void>
}

const pgConnection = (port: number, database = 'postgres') => ({
  host: '127.0.0.1',
  port,
  user: 'postgres',
  password: '',
  database,
})

/** Creates a database on the primary and waits until the standby has it. */
export async function createReplicatedDatabase(): Promise<ReplicatedDatabase> {
  const name = uniqueName()
  const admin = knex({ client: 'pg', connection: pgConnection(PG_PORTS.primary), pool: { min: 0, max: 1 } })
  const standby = knex({ client: 'pg', connection: pgConnection(PG_PORTS.replica), pool: { min: 0, max: 1 } })
  try {
    await admin.raw(`create database ${name}`)
    for (let i = 0; ; i++) {
      const { rows } = (await standby.raw('select 1 from pg_database where datname = ?', [name])) as {
        rows: unknown[]
      }
      if (rows.length > 0) break
      if (i > 500) throw new Error('the standby did not replay the new database within 5 s')
      await new Promise((r) => setTimeout(r, 10))
    }
  } finally {
    await Promise.all([admin.destroy(), standby.destroy()])
  }
  const opened: Knex[] = []
  const open = (port: number, pool?: Knex.PoolConfig): Knex => {
    const instance = knex({
      client: 'pg',
      connection: pgConnection(port, name),
      pool: { min: 0, max: 10, ...pool },
      acquireConnectionTimeout: 30_000,
    })
    opened.push(instance)
    return instance
  }
  return {
    name,
    primary: (pool) => open(PG_PORTS.primary, pool),
    replica: (pool) => open(PG_PORTS.replica, pool),
    async destroy() {
      await Promise.all(opened.map((k) => k.destroy()))
      const dropper = knex({
        client: 'pg',
        connection: pgConnection(PG_PORTS.primary),
        pool: { min: 0, max: 1 },
      })
      try {
        await dropper.raw(`drop database if exists ${name} with (force)`)
      } finally {
        await dropper.destroy()
      }
    },
  }
}
