// Running pg_dump and pg_restore from the PATH. The password travels in PGPASSWORD, not on the
// command line, where any user of the machine could read it in the process list.
import { spawn } from 'node:child_process';

export type PgToolOptions = {
  url: string;
  args: string[];
  env?: Record<string, string | undefined>;
  /** Each line the tool writes on stderr (its --verbose progress). */
  onLine?: (line: string) => void;
};

export class PgToolError extends Error {
  override name = 'PgToolError';
}

/** The connection URL without its password, and the password apart. */
export function splitPassword(url: string): { url: string; password: string | undefined } {
  const parsed = new URL(url);
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  parsed.password = '';
  return { url: parsed.toString(), password };
}

export function runPgTool(tool: 'pg_dump' | 'pg_restore', options: PgToolOptions): Promise<void> {
  const { url, password } = splitPassword(options.url);
  const env = { ...(options.env ?? process.env), ...(password ? { PGPASSWORD: password } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...options.args, `--dbname=${url}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const tail: string[] = [];
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        options.onLine?.(line);
      }
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new PgToolError(
              `${tool} was not found on the PATH. Install the PostgreSQL client tools of the server's major version ` +
                `(Debian/Ubuntu: apt install postgresql-client), or run this command where they are installed.`,
            )
          : error,
      );
    });
    child.on('close', (code) => {
      if (pending) tail.push(pending);
      if (code === 0) resolve();
      else {
        // With --verbose most lines are progress; show the errors, or the last lines if none.
        const errors = tail.filter((line) => /error|fatal/i.test(line));
        reject(new PgToolError(`${tool} failed (exit code ${code}):\n${(errors.length ? errors : tail.slice(-5)).join('\n')}`));
      }
    });
  });
}
