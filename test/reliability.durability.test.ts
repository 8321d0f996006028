import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Knex } from 'knex'
import { expect, it } from 'vitest'
import { SAMPLE_ADDRESS, SAMPLE_CARD, sampleCustomer, sampleOrder } from './support/checkout-data.js'
import { describeEachDatabase, type TestDatabase } from './support/databases.js'
import { LIBRARY_TABLES, listTables, MIGRATIONS } from './support/introspect.js'

/*
 * Durability: what one process wrote, a new process reads back exactly, through the built package
 * (dist/, which `npm test` builds first), as a user's server would after a restart. And three processes
 * migrating at the same moment all succeed and leave one schema.
 */

const CHILD = fileURLToPath(new URL('./fixtures/durability-child.mjs', import.meta.url))

interface Child {
  readonly process: ChildProcessWithoutNullStreams
  /** Resolves with stdout's JSON lines when the process exits with 0; rejects with stderr otherwise. */
  readonly done: Promise<unknown[]>
  /** Resolves when the process has printed `line`. */
  printed(line: unknown): Promise<void>
}

function start(mode: 'write' | 'read' | 'migrate', payload: unknown): Child {
  const child = spawn(process.execPath, [CHILD, mode, JSON.stringify(payload)], { stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  const waiting: Array<{ line: string; resolve: () => void }> = []
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    const lines = stdout.split('\n')
    for (const wait of waiting.filter((w) => lines.includes(w.line))) wait.resolve()
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const done = new Promise<unknown[]>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${mode} process exited with ${code}: ${stderr}`))
      else
        resolve(
          stdout
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as unknown),
        )
    })
  })
  return {
    process: child,
    done,
    printed: (value) =>
      new Promise((resolve, reject) => {
        const line = JSON.stringify(value)
        if (stdout.split('\n').includes(line)) resolve()
        else waiting.push({ line, resolve })
        done.then(() => reject(new Error(`exited without printing ${line}`)), reject)
      }),
  }
}

async function run(mode: 'write' | 'read', payload: unknown): Promise<unknown> {
  const lines = await start(mode, payload).done
  expect(lines).toHaveLength(1)
  return lines[0]
}

/** How a child process reaches the test database: plain JSON, no functions. */
function databaseSettings(db: TestDatabase): { client: string; connection: unknown } {
  if (db.name === 'sqlite-file') return { client: 'better-sqlite3', connection: { filename: db.location } }
  return { client: String(db.config.client), connection: db.config.connection }
}

/** JSON as the child printed it: Dates as ISO strings. */
type Json = Record<string, unknown>

async function logNames(knex: Knex, table: string): Promise<string[]> {
  const rows: Array<{ name: string }> = await knex(table).select('name').orderBy('id')
  return rows.map((r) => r.name)
}

// An in-memory SQLite database ends with its process: there is nothing to read back, nothing to race on.
describeEachDatabase(
  'reliability: durability across processes',
  (db) => {
    it('reads back in a new process exactly what another process wrote', async () => {
      const database = databaseSettings(db())
      const prefix = 'dur_'
      // Migrate in a process of its own too: nothing of the test's pool is involved.
      const migrated = await start('migrate', { database, prefix })
      await migrated.printed('ready')
      migrated.process.stdin.end('go\n')
      expect(await migrated.done).toEqual(['ready', MIGRATIONS])

      // The writer fills in the customer it creates.
      const { customerId: _placeholder, ...order } = sampleOrder('set-by-the-writer')
      const input = {
        customer: sampleCustomer('durable'),
        address: SAMPLE_ADDRESS,
        card: SAMPLE_CARD,
        order,
        key: 'checkout-session-🔑-1',
      }
      const written = (await run('write', { database, prefix, input })) as Record<
        'customer' | 'address' | 'paymentMethod' | 'order',
        Json
      >
      const ids = { customerId: written.customer.id, orderId: written.order.id }
      const read = (await run('read', { database, prefix, ids })) as Record<
        'customer' | 'order' | 'events',
        Json
      >

      // The order and the saved address and card read back field for field, timestamps to the millisecond.
      expect(read.order).toEqual(written.order)
      expect(read.customer.addresses).toEqual([written.address])
      expect(read.customer.paymentMethods).toEqual([written.paymentMethod])
      const { addresses: _a, paymentMethods: _p, ...customer } = read.customer
      const { addresses: _wa, paymentMethods: _wp, ...writtenCustomer } = written.customer
      expect(customer).toEqual(writtenCustomer)
      expect(read.events).toEqual([
        {
          id: expect.any(String),
          type: 'order_placed',
          from: null,
          to: 'pending',
          note: null,
          actor: null,
          at: written.order.createdAt,
        },
      ])

      // And what was written is what the shopper typed.
      expect(customer).toMatchObject({
        email: input.customer.email,
        name: input.customer.name,
        phone: input.customer.phone,
        metadata: input.customer.metadata,
        anonymizedAt: null,
      })
      expect(read.customer.addresses).toEqual([
        expect.objectContaining({ ...SAMPLE_ADDRESS, region: null, customerId: ids.customerId }),
      ])
      const { isDefault: _d, ...card } = SAMPLE_CARD
      expect(read.customer.paymentMethods).toEqual([expect.objectContaining({ ...card, expired: false })])
      expect(read.order).toMatchObject({
        number: 1001,
        status: 'pending',
        version: 1,
        customerId: ids.customerId,
        email: input.customer.email,
        subtotal: 3998,
        total: 4718,
        note: order.note,
        metadata: order.metadata,
        payment: order.payment,
        items: [
          expect.objectContaining({
            ...order.items[0],
            total: 3998,
            productId: null,
            variantId: null,
            metadata: {},
          }),
          expect.objectContaining({ ...order.items[1], total: 0, attributes: {}, metadata: {} }),
        ],
      })
      for (const date of [customer.createdAt, read.order.createdAt, read.order.updatedAt]) {
        expect(date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      }
    })

    it('lets three processes migrate at the same moment: all succeed, one schema', async () => {
      const database = databaseSettings(db())
      const prefix = 'race3_'
      const children = [0, 1, 2].map(() => start('migrate', { database, prefix }))
      // Each has connected and waits; then all are told to go at once.
      await Promise.all(children.map((c) => c.printed('ready')))
      for (const child of children) child.process.stdin.end('go\n')
      const outputs = await Promise.all(children.map((c) => c.done))

      const applied = outputs.map((lines) => lines[1] as string[])
      // One process applied every migration; the others found nothing left to do.
      expect(applied.flat()).toEqual(MIGRATIONS)
      expect(applied.filter((names) => names.length === 0)).toHaveLength(2)
      expect(await logNames(db().knex, `${prefix}migrations`)).toEqual(MIGRATIONS)
      const tables = (await listTables(db().knex)).filter((t) => t.startsWith(prefix))
      expect(tables).toEqual(LIBRARY_TABLES.map((t) => prefix + t).sort())
    })
  },
  { except: ['sqlite-memory'] },
)
