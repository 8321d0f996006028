// Run: npm run build && node --import tsx examples/nestjs/server.ts
import { createCheckoutStore } from 'checkout-store'
import { connect } from '../shared/database.js'
import { createApp } from './app.js'

const db = connect()
await createCheckoutStore(db).migrate()
const app = await createApp(db)
await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1')
console.log(`checkout API on ${await app.getUrl()}`)
