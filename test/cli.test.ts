import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { type DatabaseName, describeEachDatabase, SERVERS, type TestDatabase } from './support/databases.js'
import { listTables, MIGRATIONS } from './support/introspect.js'

/*
 * The `checkout-store` command, run as a user runs it: the built dist/cli.js in a child process, against
 * a real database. In-memory SQLite is left out: a database that dies with the command has nothing to
 * migrate for anyone else.
 */

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const run = promisify(execFile)

interface Outcome {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

async function cli(args: readonly string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string }
    if (typeof failed.code !== 'number') throw error
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' }
  }
}

/** The `--client` and `--connection` flags that reach the test database. */
function connectionFlags(name: DatabaseName, db: TestDatabase): string[] {
  if (name === 'postgresql') {
    const s = SERVERS.postgresql
    const auth = s.password ? `${s.user}:${encodeURIComponent(s.password)}` : s.user
    return ['--client', 'pg', '--connection', `postgres://${auth}@${s.host}:${s.port}/${db.location}`]
  }
  if (name === 'mysql') {
    const s = SERVERS.mysql
    const auth = s.password ? `${s.user}:${encodeURIComponent(s.password)}` : s.user
    return ['--client', 'mysql2', '--connection', `mysql://${auth}@${s.host}:${s.port}/${db.location}`]
  }
  return ['--client', 'better-sqlite3', '--connection', db.location]
}

const lines = (text: string): string[] => text.trim().split('\n')

describeEachDatabase(
  'cli: migrate, status, rollback',
  (db, name) => {
    it('migrates, reports the status, rolls back only its own tables, and exits 0 each time', async () => {
      const flags = [...connectionFlags(name, db()), '--prefix', 'cli_']
      await db().knex.schema.createTable('host_things', (t) => t.increments('id'))

      const before = await cli(['status', ...flags])
      expect(before).toMatchObject({ code: 0, stderr: '' })
      expect(lines(before.stdout)).toEqual(MIGRATIONS.map((m) => `pending  ${m}`))

      const migrated = await cli(['migrate', ...flags])
      expect(migrated).toMatchObject({ code: 0, stderr: '' })
      expect(lines(migrated.stdout)).toEqual(MIGRATIONS.map((m) => `applied  ${m}`))
      expect(await listTables(db().knex)).toContain('cli_orders')

      const again = await cli(['migrate', ...flags])
      expect(again).toMatchObject({ code: 0, stdout: 'Already up to date.\n' })

      const after = await cli(['status', ...flags])
      expect(lines(after.stdout)).toEqual(MIGRATIONS.map((m) => `applied  ${m}`))

      const rolledBack = await cli(['rollback', ...flags])
      expect(rolledBack.code).toBe(0)
      expect(lines(rolledBack.stdout)).toEqual([...MIGRATIONS].reverse().map((m) => `reverted ${m}`))
      expect(await listTables(db().knex)).toEqual(['host_things'])
    })

    it('reads the connection from a knexfile with environments, picked by --env', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'checkout-store-cli-'))
      try {
        const file = join(dir, 'knexfile.cjs')
        const config = { ...db().config, pool: { min: 0, max: 1 } }
        writeFileSync(
          file,
          `module.exports = ${JSON.stringify({ staging: config, production: { client: 'pg' } })}\n`,
        )
        const migrated = await cli(['migrate', '--knexfile', file, '--env', 'staging'])
        expect(migrated).toMatchObject({ code: 0, stderr: '' })
        expect(lines(migrated.stdout)).toEqual(MIGRATIONS.map((m) => `applied  ${m}`))
        expect(await listTables(db().knex)).toContain('checkout_orders')

        const missing = await cli(['status', '--knexfile', file, '--env', 'qa'])
        expect(missing.code).toBe(2)
        expect(lines(missing.stderr)).toEqual([
          'checkout-store: the knexfile has no "qa" environment (it has: staging, production); pick one with --env',
        ])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  },
  { except: ['sqlite-memory'] },
)

describe('cli: usage and failures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'checkout-store-cli-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('prints the help with --help and exits 0', async () => {
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: checkout-store <command> \[options\]/)
    for (const command of ['migrate', 'rollback', 'status']) expect(help.stdout).toContain(command)
  })

  it('refuses an unknown command, a missing connection and an unknown option with one line and exit 2', async () => {
    const unknown = await cli(['upgrade'])
    expect(unknown).toMatchObject({ code: 2, stdout: '' })
    expect(lines(unknown.stderr)).toEqual([
      'checkout-store: unknown command "upgrade"; the commands are migrate, rollback, status',
    ])

    const noConnection = await cli(['migrate'])
    expect(noConnection.code).toBe(2)
    expect(lines(noConnection.stderr)).toHaveLength(1)
    expect(noConnection.stderr).toContain('no connection')

    const badOption = await cli(['migrate', '--colour'])
    expect(badOption.code).toBe(2)
    expect(lines(badOption.stderr)).toHaveLength(1)
  })

  it('fails with one line and exit 1 when the database cannot be reached, without the connection string', async () => {
    const unreachable = await cli([
      'migrate',
      '--client',
      'pg',
      '--connection',
      'postgres://admin:s3cret-pass@127.0.0.1:1/shop',
    ])
    expect(unreachable).toMatchObject({ code: 1, stdout: '' })
    expect(lines(unreachable.stderr)).toHaveLength(1)
    expect(unreachable.stderr).toContain('ECONNREFUSED')
    expect(unreachable.stderr).not.toContain('s3cret-pass')
  })

  it("refuses a bad table prefix with the library's own code", async () => {
    const bad = await cli([
      'migrate',
      '--client',
      'better-sqlite3',
      '--connection',
      join(dir, 'x.db'),
      '--prefix',
      'no such;',
    ])
    expect(bad.code).toBe(1)
    expect(lines(bad.stderr)).toHaveLength(1)
    expect(bad.stderr).toMatch(/^checkout-store: VALIDATION_FAILED: /)
  })
})
