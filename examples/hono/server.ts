// Run: npm run build && node --import tsx examples/hono/server.ts
import { serve } from '@hono/node-server'
import { createCheckoutStore } from 'checkout-store'
import { connect } from '../shared/database.js'
import { createApp } from './app.js'

const db = connect()
await createCheckoutStore(db).migrate()
serve(
  { fetch: createApp(db).fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3000) },
  (info) => {
    console.log(`checkout API on http://127.0.0.1:${info.port}`)
  },
)
