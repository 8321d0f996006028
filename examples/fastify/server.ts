// Run: npm run build && node --import tsx examples/fastify/server.ts
import { createCheckoutStore } from 'checkout-store'
import { connect } from '../shared/database.js'
import { createApp } from './app.js'

const db = connect()
await createCheckoutStore(db).migrate()
const app = createApp(db)
app.addHook('onClose', () => db.destroy())
const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) })
console.log(`checkout API on ${address}`)
