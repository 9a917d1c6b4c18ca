/**
 * The database drivers are optional dependencies, loaded only when `--to` asks for one: an install
 * where one is missing (or its native part failed to build) still runs every other command, and a
 * sync says which package to install, with exit 2.
 */
import { UsageError } from '../../errors.js';

export type SqliteModule = typeof import('better-sqlite3');
export type PgModule = typeof import('pg');
export type CopyStreamsModule = typeof import('pg-copy-streams');

/** Why a driver could not load, in a user's words, with what to install. */
function missingDriver(name: string, what: string, error: unknown): UsageError {
  const reason = (error as Error).message?.split('\n')[0] ?? String(error);
  return new UsageError(`--to ${what} needs the ${name} package, which could not be loaded (${reason})`, {
    hint: `install it next to infusionsoft: npm install ${name}`,
    cause: error,
  });
}

export async function loadSqlite(): Promise<SqliteModule> {
  try {
    const module = (await import('better-sqlite3')) as unknown as { default: SqliteModule };
    const Database = module.default;
    // The native part loads at the first database, not at import: try it now.
    new Database(':memory:').close();
    return Database;
  } catch (error) {
    throw missingDriver('better-sqlite3', 'sqlite:', error);
  }
}

export async function loadPostgres(): Promise<{ pg: PgModule; copyFrom: CopyStreamsModule['from'] }> {
  let pg: PgModule;
  try {
    pg = ((await import('pg')) as unknown as { default: PgModule }).default;
  } catch (error) {
    throw missingDriver('pg', 'postgres://', error);
  }
  try {
    const copy = (await import('pg-copy-streams')) as unknown as { default?: CopyStreamsModule } & CopyStreamsModule;
    return { pg, copyFrom: (copy.default ?? copy).from };
  } catch (error) {
    throw missingDriver('pg-copy-streams', 'postgres://', error);
  }
}
