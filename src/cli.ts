/*
 * The `checkout-store` command: runs the library's migrations from a shell or a deploy step, on the
 * connection a knexfile or two flags describe. It uses only the public API, imported from the built
 * package beside it, so it behaves exactly as a host's own code would.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import knex, { type Knex } from 'knex'
import { type CheckoutStore, CheckoutStoreError, createCheckoutStore } from './index.js'

const USAGE = `Usage: checkout-store <command> [options]

Commands:
  migrate    apply the library's migrations that have not run yet
  rollback   drop the library's tables (and only those)
  status     list the library's migrations, applied or pending

Connection (one of):
  --knexfile <file>      a knexfile (.js, .cjs, .mjs or .json); with --env <name> for a per-environment
                         file (default: $NODE_ENV, else "development")
  --client <client> --connection <connection>
                         pg | mysql2 | better-sqlite3, and a connection string or SQLite file name

Options:
  --prefix <prefix>      table prefix (default: checkout_)
  -h, --help             show this help
  -v, --version          show the version

Exit status: 0 on success, 1 when the command failed, 2 for a usage error.`

/** A failure the user can fix by changing the command line: exit status 2. */
class UsageError extends Error {}

const COMMANDS = ['migrate', 'rollback', 'status'] as const
type Command = (typeof COMMANDS)[number]

interface Invocation {
  readonly command: Command
  readonly config: Knex.Config
  readonly prefix: string | undefined
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      knexfile: { type: 'string' },
      env: { type: 'string' },
      client: { type: 'string' },
      connection: { type: 'string' },
      prefix: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (values.version) {
    process.stdout.write(`${await packageVersion()}\n`)
    return 0
  }
  const [command, ...extra] = positionals
  if (command === undefined) throw new UsageError('no command given; try --help')
  if (!(COMMANDS as readonly string[]).includes(command))
    throw new UsageError(
      `unknown command ${JSON.stringify(command)}; the commands are ${COMMANDS.join(', ')}`,
    )
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`)

  const invocation: Invocation = {
    command: command as Command,
    config: await connectionConfig(values),
    prefix: values.prefix,
  }
  return run(invocation)
}

/**
 * Knex's pool logs a failed connection attempt with its stack before the error reaches the caller; the
 * command reports every failure itself in one line, so unless the knexfile sets a logger, Knex's is quiet.
 */
const QUIET: Knex.Logger = { warn() {}, error() {}, deprecate() {}, debug() {} }

async function run({ command, config, prefix }: Invocation): Promise<number> {
  const db = knex({ log: QUIET, ...config })
  try {
    const store = createCheckoutStore(db, prefix === undefined ? {} : { tablePrefix: prefix })
    if (command === 'migrate') {
      const applied = await store.migrate()
      print(applied.length === 0 ? 'Already up to date.' : applied.map((name) => `applied  ${name}`))
    } else if (command === 'rollback') {
      const reverted = await store.rollback()
      print(reverted.length === 0 ? 'Nothing to roll back.' : reverted.map((name) => `reverted ${name}`))
    } else {
      const rows = await status(db, store, prefix ?? 'checkout_')
      print(rows.map(({ name, applied }) => `${applied ? 'applied ' : 'pending '} ${name}`))
    }
    return 0
  } finally {
    await db.destroy()
  }
}

/** Every migration the library ships, oldest first, and whether this database has applied it. */
async function status(
  db: Knex,
  store: CheckoutStore,
  prefix: string,
): Promise<Array<{ name: string; applied: boolean }>> {
  const source = store.migrationSource
  const names = (await source.getMigrations([])).map((m) => source.getMigrationName(m))
  const log = `${prefix}migrations`
  const applied = new Set<string>()
  if (await db.schema.hasTable(log)) {
    const rows = (await db(log).select('name')) as Array<{ name: unknown }>
    for (const row of rows) applied.add(String(row.name))
  }
  return names.map((name) => ({ name, applied: applied.has(name) }))
}

async function connectionConfig(values: {
  knexfile?: string | undefined
  env?: string | undefined
  client?: string | undefined
  connection?: string | undefined
}): Promise<Knex.Config> {
  if (values.knexfile !== undefined) {
    if (values.client !== undefined || values.connection !== undefined)
      throw new UsageError('give either --knexfile or --client with --connection, not both')
    return knexfileConfig(values.knexfile, values.env ?? process.env.NODE_ENV ?? 'development')
  }
  if (values.client === undefined || values.connection === undefined)
    throw new UsageError('no connection: give --knexfile, or --client with --connection')
  if (values.client === 'better-sqlite3' || values.client === 'sqlite3') {
    return {
      client: values.client,
      connection: { filename: values.connection },
      useNullAsDefault: true,
    }
  }
  return { client: values.client, connection: values.connection, pool: { min: 0, max: 1 } }
}

/** Loads a knexfile as Knex's own CLI does: a config, or an object of configs by environment. */
async function knexfileConfig(file: string, env: string): Promise<Knex.Config> {
  let loaded: unknown
  try {
    const module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown }
    loaded = module.default ?? module
  } catch (error) {
    throw new UsageError(`cannot load the knexfile ${JSON.stringify(file)}: ${reason(error)}`)
  }
  if (typeof loaded === 'function') loaded = await (loaded as () => unknown)()
  if (!isRecord(loaded)) throw new UsageError(`the knexfile ${JSON.stringify(file)} exports no config`)
  if ('client' in loaded) return loaded as Knex.Config
  const config = loaded[env]
  if (!isRecord(config) || !('client' in config)) {
    const envs = Object.keys(loaded).join(', ') || 'none'
    throw new UsageError(`the knexfile has no "${env}" environment (it has: ${envs}); pick one with --env`)
  }
  return config as Knex.Config
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

async function packageVersion(): Promise<string> {
  const { createRequire } = await import('node:module')
  const pkg = createRequire(import.meta.url)('../package.json') as { version: string }
  return pkg.version
}

function print(lines: string | readonly string[]): void {
  process.stdout.write(`${typeof lines === 'string' ? lines : lines.join('\n')}\n`)
}

/**
 * One line saying what went wrong, without the connection string or any SQL: the library's own code
 * and message, or the driver's error code and the first line of its message.
 */
function reason(error: unknown): string {
  if (error instanceof CheckoutStoreError) return `${error.code}: ${error.message}`
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0])
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    const first = error.message.split('\n')[0] ?? ''
    return typeof code === 'string' && !first.includes(code) ? `${code}: ${first}` : first
  }
  return String(error)
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status
  },
  (error: unknown) => {
    const code = (error as { code?: unknown } | undefined)?.code
    const usage =
      error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
    process.stderr.write(`checkout-store: ${reason(error)}\n`)
    process.exitCode = usage ? 2 : 1
  },
)
