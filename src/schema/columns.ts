import type { Knex } from 'knex'
import type { Dialect } from '../sql/dialect.js'

/*
 * Column types that differ per dialect, so every migration declares them the same way.
 */

/** A millisecond-precision timestamp: pg `timestamptz(3)`, MySQL `DATETIME(3)`, SQLite integer ms. */
export function timestamp(t: Knex.CreateTableBuilder, dialect: Dialect, name: string): Knex.ColumnBuilder {
  if (dialect === 'sqlite3') return t.bigInteger(name)
  if (dialect === 'mysql') return t.specificType(name, 'DATETIME(3)')
  return t.specificType(name, 'timestamptz(3)')
}

/** A record id made in code (UUIDv7 text, 36 characters). */
export function id(t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder {
  return t.string(name, 36)
}

/** JSON stored as text: key order and characters come back as written. */
export function jsonText(t: Knex.CreateTableBuilder, name: string): Knex.ColumnBuilder {
  return t.text(name, 'mediumtext')
}

/**
 * MySQL/MariaDB: utf8mb4 so characters outside the BMP survive, and a binary collation so text
 * compares exactly (a general collation would call `a` and `á` duplicates in a unique index).
 */
export function tableOptions(t: Knex.CreateTableBuilder, dialect: Dialect): void {
  if (dialect === 'mysql') {
    t.engine('InnoDB')
    t.charset('utf8mb4')
    t.collate('utf8mb4_bin')
  }
}
