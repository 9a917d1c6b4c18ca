/**
 * `_infusionsoft_state`: per resource, the Keap account the tables hold, the bookmark (since mode),
 * and the resume cursor of a run in progress. It commits in the same transaction as the rows it
 * covers: a page commits its cursor (the run's `since`, when the run started, where paging stands),
 * and the bookmark moves to the run's new `since` only with the resource's last transaction.
 */
import type { PagePosition } from '../../api/types.js';
import { UsageError } from '../../errors.js';
import { createTableSql, type Destination, STATE_TABLE, stateTableSpec, type Transaction } from './destination.js';
import type { CellValue } from './layout.js';

export interface StateRow {
  resource: string;
  app: string | null;
  tenant: string | null;
  mode: string | null;
  bookmark: string | null;
  run_since: string | null;
  run_started: string | null;
  run_position: string | null;
  updated_at: string | null;
}

/** Where a since-mode run stands after a committed page. */
export interface ResumeCursor {
  /** The run's `since` ('' for a first run without one). */
  since: string;
  /** When the run (the first of a killed one and its continuations) started, ISO. */
  started: string;
  position?: PagePosition;
  /** The newest update time committed so far. */
  newest?: string;
}

/** The Keap account a run reads: the API's host, and the tenant Keap names in `x-keap-tenant-id`. */
export interface Account {
  app: string;
  tenant?: string;
}

export async function readStates(destination: Destination): Promise<Map<string, StateRow>> {
  await destination.transaction(async (tx) => {
    await tx.run(createTableSql(destination, stateTableSpec));
  });
  const rows = await destination.transaction((tx) => tx.query<StateRow>(`SELECT * FROM ${destination.table(STATE_TABLE)}`));
  return new Map(rows.map((r) => [r.resource, r]));
}

/**
 * Refuses to sync one account into tables that hold another's (exit 2): the client-A-into-client-B
 * mistake. The tenant decides when both runs know it; otherwise the API's host does.
 */
export function checkAccount(destination: Pick<Destination, 'label'>, states: Map<string, StateRow>, account: Account): void {
  for (const state of states.values()) {
    const other = state.tenant && account.tenant ? state.tenant !== account.tenant : state.app !== null && state.app !== account.app;
    if (!other) continue;
    const theirs = state.tenant ?? state.app;
    const ours = account.tenant ?? account.app;
    throw new UsageError(`${destination.label} holds the tables of another Keap account (${theirs}; this run reads ${ours})`, {
      hint: 'sync each account into its own database file, or its own --schema in PostgreSQL',
    });
  }
}

/** Where a resource's read starts, from its committed state. */
export interface StartingPoint {
  mode: 'since' | 'hash';
  /** The committed bookmark the read filters on (since mode, neither first nor `--full-refresh`). */
  bookmark?: string;
  /** A stopped run's cursor with the same `since`: the read continues after its last committed page. */
  cursor?: ResumeCursor;
}

/**
 * Since mode continues from the bookmark, or after the last page a stopped run committed with the
 * same `since`; hash mode and `--full-refresh` read everything. The run and `--plan` both ask this.
 */
export function startingPoint(mode: 'since' | 'hash', saved: StateRow | undefined, fullRefresh: boolean): StartingPoint {
  const fresh = fullRefresh || mode !== 'since';
  const bookmark = fresh ? undefined : (saved?.bookmark ?? undefined);
  const savedCursor = fresh ? undefined : parseCursor(saved);
  const cursor = savedCursor && savedCursor.since === (bookmark ?? '') ? savedCursor : undefined;
  return { mode, ...(bookmark ? { bookmark } : {}), ...(cursor ? { cursor } : {}) };
}

export function parseCursor(state: StateRow | undefined): ResumeCursor | undefined {
  if (!state?.run_started) return undefined;
  try {
    const saved = JSON.parse(state.run_position ?? '{}') as Pick<ResumeCursor, 'position' | 'newest'>;
    return { since: state.run_since ?? '', started: state.run_started, ...saved };
  } catch {
    return undefined;
  }
}

/** Writes the resource's state row (inside the transaction of the rows it covers). */
export async function saveState(tx: Transaction, destination: Destination, row: StateRow): Promise<void> {
  const columns = stateTableSpec.columns.map((c) => c.name);
  const values = columns.map((c) => row[c as keyof StateRow] as CellValue);
  await tx.run(`DELETE FROM ${destination.table(STATE_TABLE)} WHERE "resource" = ?`, [row.resource]);
  await tx.run(
    `INSERT INTO ${destination.table(STATE_TABLE)} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    values,
  );
}

export function cursorState(base: StateRow, cursor: ResumeCursor | undefined): StateRow {
  return {
    ...base,
    run_since: cursor ? cursor.since : null,
    run_started: cursor ? cursor.started : null,
    run_position: cursor
      ? JSON.stringify({ ...(cursor.position ? { position: cursor.position } : {}), ...(cursor.newest ? { newest: cursor.newest } : {}) })
      : null,
  };
}
