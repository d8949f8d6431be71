import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { MigrationClass } from './data-source';

export interface SqlMigrationSpec {
  /** PascalCase; the schema and the timestamp are appended (TypeORM reads the timestamp from the name). */
  readonly name: string;
  /** 13-digit millisecond timestamp ordering the migration; never change it once it has run. */
  readonly timestamp: number;
  readonly schema: string;
  readonly up: (schema: string) => string[];
  readonly down: (schema: string) => string[];
}

/** A TypeORM migration class running plain SQL statements for one schema, named per schema. */
export function sqlMigration(spec: SqlMigrationSpec): MigrationClass {
  const suffix = spec.schema
    .split('_')
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  const name = `${spec.name}${suffix}${spec.timestamp}`;
  const up = spec.up(spec.schema);
  const down = spec.down(spec.schema);
  const migration = class implements MigrationInterface {
    name = name;
    async up(queryRunner: QueryRunner): Promise<void> {
      for (const statement of up) await queryRunner.query(statement);
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      for (const statement of down) await queryRunner.query(statement);
    }
  };
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
}
