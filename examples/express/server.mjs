// Starts the checkout server on an embedded SQLite file. Run: npm run example:express
// (DATABASE_FILE and PORT override the defaults).
import { createCheckoutStore } from 'checkout-store'
import knex from 'knex'
import { createApp } from './app.mjs'

const db = knex({
  client: 'better-sqlite3',
  connection: { filename: process.env.DATABASE_FILE ?? 'shop.db' },
  useNullAsDefault: true,
  pool: {
    // Per connection, as the store requires on SQLite: foreign keys on; WAL so readers never block commits.
    afterCreate(conn, done) {
      conn.pragma('foreign_keys = ON')
      conn.pragma('journal_mode = WAL')
      conn.pragma('busy_timeout = 5000')
      done(null, conn)
    },
  },
})
const store = createCheckoutStore(db)
await store.migrate()

const port = Number(process.env.PORT ?? 3000)
const server = createApp(store).listen(port, '127.0.0.1', () => {
  console.log(`checkout server on http://127.0.0.1:${port}`)
})
process.on('SIGINT', () => server.close(() => db.destroy()))
