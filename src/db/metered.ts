/**
 * What one unit of work cost D1: statements, and the rows D1 read and wrote for them (from each result's `meta`,
 * the figures D1 bills by). The queue handler wraps each consumer batch in one meter and logs the totals, so the
 * cost of a job is visible in production logs and `npm run bench:scale` can read it from `wrangler dev`'s output.
 */
interface D1Usage {
  statements: number;
  rowsRead: number;
  rowsWritten: number;
}

type Meta = { rows_read?: number; rows_written?: number } | undefined;

/** A D1 binding that counts what passes through it; everything else is the real binding's behaviour. */
export class D1Meter {
  readonly usage: D1Usage = { statements: 0, rowsRead: 0, rowsWritten: 0 };
  readonly database: D1Database;

  constructor(private readonly d1: D1Database) {
    this.database = this.wrapDatabase();
  }

  private add(meta: Meta, statements = 1): void {
    this.usage.statements += statements;
    this.usage.rowsRead += meta?.rows_read ?? 0;
    this.usage.rowsWritten += meta?.rows_written ?? 0;
  }

  private wrapDatabase(): D1Database {
    const d1 = this.d1;
    return {
      prepare: (query: string) => this.wrapStatement(d1.prepare(query)),
      batch: async <T>(statements: D1PreparedStatement[]) => {
        const results = await d1.batch<T>(statements.map(unwrap));
        for (const result of results) this.add(result.meta);
        return results;
      },
      exec: async (query: string) => {
        const result = await d1.exec(query);
        this.add(undefined, result.count);
        return result;
      },
      dump: () => d1.dump(),
      withSession: (constraint?: string) => d1.withSession(constraint),
    } as D1Database;
  }

  private wrapStatement(statement: D1PreparedStatement): D1PreparedStatement {
    const wrapped = {
      [REAL]: statement,
      bind: (...values: unknown[]) => this.wrapStatement(statement.bind(...values)),
      run: async () => {
        const result = await statement.run();
        this.add(result.meta);
        return result;
      },
      all: async () => {
        const result = await statement.all();
        this.add(result.meta);
        return result;
      },
      first: async (column?: string) => {
        // `first` drops `meta`; `all` returns the same rows with it.
        const { results, meta } = await statement.all<Record<string, unknown>>();
        this.add(meta);
        const row = results[0];
        if (row === undefined) return null;
        if (column === undefined) return row;
        if (!(column in row)) throw new Error(`D1_COLUMN_NOTFOUND: ${column}`);
        return row[column];
      },
      raw: async (options?: { columnNames?: boolean }) => {
        // `raw` drops `meta` too. Rows as arrays in column order, the way Drizzle maps a batch's object rows.
        const { results, meta } = await statement.all<Record<string, unknown>>();
        this.add(meta);
        const rows = results.map((row) => Object.values(row));
        if (!options?.columnNames) return rows;
        return [Object.keys(results[0] ?? {}), ...rows];
      },
    };
    return wrapped as unknown as D1PreparedStatement;
  }
}

const REAL = Symbol("d1-statement");

function unwrap(statement: D1PreparedStatement): D1PreparedStatement {
  return (statement as unknown as { [REAL]?: D1PreparedStatement })[REAL] ?? statement;
}
