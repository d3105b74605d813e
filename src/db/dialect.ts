// Column helpers for migrations: the few places where SQLite and PostgreSQL DDL differ.
import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely';
import { dialectOf } from './database.ts';

/** An auto-incrementing integer primary key named `id`. */
export function withId<T extends string>(db: Kysely<any>, table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  return dialectOf(db) === 'postgres'
    ? table.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) => c.generatedByDefaultAsIdentity().primaryKey())
    : table.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement());
}

/** Floating-point column type name (coordinates). */
export function realType(db: Kysely<any>): 'double precision' | 'real' {
  return dialectOf(db) === 'postgres' ? 'double precision' : 'real';
}
