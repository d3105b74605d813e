// File helpers for backups: checksums, walking a folder, copies that reach the disk.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** Regular files under `root`, as relative paths with forward slashes, sorted; [] if it does not exist. */
export function listFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) found.push(child);
      // Symbolic links and other special files are not followed: a backup copies data, not links.
    }
  };
  walk('');
  return found.sort();
}

/** Copies a file and flushes it to disk, so a backup reported as written survives a power cut. */
export function copyFileDurably(from: string, to: string, mode?: number): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  if (mode !== undefined) fs.chmodSync(to, mode);
  const fd = fs.openSync(to, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A manifest path must stay inside the backup: no absolute paths, no "..". */
export function isSafeRelativePath(relative: string): boolean {
  if (relative === '' || relative.includes('\\') || path.posix.isAbsolute(relative)) return false;
  return relative.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** "2026-11-27T03-17-00Z": a timestamp usable in a file name on every system. */
export function fileStamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}
