// Which Twiza servers are running on this machine with this DATA_DIR. `serve` writes
// DATA_DIR/run/<pid>.json when it starts listening and removes it when it stops; `restore`
// refuses to replace the database under a live one. A file whose process is gone (a crash, a
// power cut) is stale and removed. Servers on other machines sharing a PostgreSQL database are
// not seen: the operator stops those.
import fs from 'node:fs';
import path from 'node:path';

export type RunningServer = { pid: number; startedAt: string; url: string; database: string };

function runDir(dataDir: string): string {
  return path.join(dataDir, 'run');
}

export function markRunning(dataDir: string, info: Omit<RunningServer, 'pid'>): { release(): void } {
  const dir = runDir(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}.json`);
  const record: RunningServer = { pid: process.pid, ...info };
  fs.writeFileSync(file, `${JSON.stringify(record)}\n`);
  return {
    release() {
      fs.rmSync(file, { force: true });
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function findRunningServers(dataDir: string): RunningServer[] {
  const dir = runDir(dataDir);
  if (!fs.existsSync(dir)) return [];
  const running: RunningServer[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!/^\d+\.json$/.test(name)) continue;
    const file = path.join(dir, name);
    let record: RunningServer;
    try {
      record = JSON.parse(fs.readFileSync(file, 'utf8')) as RunningServer;
    } catch {
      continue; // being written or removed right now
    }
    if (isAlive(record.pid)) running.push(record);
    else fs.rmSync(file, { force: true });
  }
  return running;
}
