// The Knex instance an example server runs on, from the environment:
//   DATABASE_CLIENT=pg DATABASE_URL=postgres://postgres@127.0.0.1:5432/shop
//   DATABASE_CLIENT=mysql2 DATABASE_URL=mysql://root@127.0.0.1:3306/shop
//   nothing: an SQLite file, shop.db, in the working directory
import knex, { type Knex } from 'knex'

export function connect(): Knex {
  const client = process.env.DATABASE_CLIENT ?? 'better-sqlite3'
  if (client === 'better-sqlite3') {
    return knex({
      client,
      connection: { filename: process.env.DATABASE_URL ?? 'shop.db' },
      useNullAsDefault: true,
      pool: {
        // SQLite enforces foreign keys only when each connection asks for them.
        afterCreate(
          conn: { pragma(sql: string): unknown },
          done: (err: Error | null, conn: unknown) => void,
        ) {
          conn.pragma('foreign_keys = ON')
          conn.pragma('journal_mode = WAL')
          done(null, conn)
        },
      },
    })
  }
  const url = process.env.DATABASE_URL
  if (!url) throw new Error(`DATABASE_URL is required with DATABASE_CLIENT=${client}`)
  return knex({ client, connection: url })
}
