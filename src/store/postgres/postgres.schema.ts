/**
 * Schema names end up in SQL text and in the connection's `-c search_path=` option, so they are
 * restricted to plain lower-case identifiers instead of being escaped.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`PostgreSQL schema name "${schema}" is not allowed: use lower-case letters, digits and _ (at most 63, not starting with a digit).`);
  }
  return schema;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The NOTIFY channel is database-wide; the payload names the schema so stores sharing a database do not wake each other. */
export const WORK_CHANNEL = 'narrate_work';
