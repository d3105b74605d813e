// A short-lived cache of Open311 list answers. GET requests answers up to 1000 complaints
// (half a megabyte of JSON); apps and dashboards poll it, often with the very same query. Each
// answer is built once, compressed once, and served as is to every identical request for a few
// seconds: public data, a few seconds old at most, instead of rebuilding and recompressing
// half a megabyte for each of fifty clients. Concurrent identical requests wait for the one
// build in progress. Errors are never cached.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);

export type CachedDocument = {
  body: string;
  gzip: Buffer;
  /** A strong validator of the body, for If-None-Match. */
  etag: string;
};

export type ResponseCache = {
  /** The cached document for `key`, or the one `build` makes (then kept for the cache's lifetime). */
  get(key: string, build: () => Promise<string>): Promise<CachedDocument>;
};

type Entry = { expires: number; bytes: number; document: Promise<CachedDocument> };

export function createResponseCache(options: { ttlMs: number; maxBytes: number; now?: () => number }): ResponseCache {
  const now = options.now ?? Date.now;
  // A Map keeps insertion order: the first entries are the oldest, evicted first.
  const entries = new Map<string, Entry>();
  let totalBytes = 0;

  const remove = (key: string, entry: Entry) => {
    if (entries.get(key) !== entry) return;
    entries.delete(key);
    totalBytes -= entry.bytes;
  };

  return {
    get(key, build) {
      const found = entries.get(key);
      if (found && found.expires > now()) return found.document;
      if (found) remove(key, found);
      const entry: Entry = {
        expires: now() + options.ttlMs,
        bytes: 0,
        document: (async () => {
          const body = await build();
          const compressed = await gzip(body);
          return { body, gzip: compressed, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
        })(),
      };
      entries.set(key, entry);
      entry.document.then(
        (document) => {
          if (entries.get(key) !== entry) return;
          entry.bytes = Buffer.byteLength(document.body) + document.gzip.length;
          totalBytes += entry.bytes;
          for (const [oldKey, old] of entries) {
            if (totalBytes <= options.maxBytes) break;
            remove(oldKey, old);
          }
        },
        () => remove(key, entry),
      );
      return entry.document;
    },
  };
}
