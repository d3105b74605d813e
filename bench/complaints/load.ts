// A small autocannon-like load generator, run as a child process of run.ts so that it does not
// share the server's event loop: N keep-alive connections, each sending its next GET as soon as
// the previous answer is read, for a fixed time (after a warm-up) or a number of requests,
// whichever comes first. Loopback only: run.ts gives it 127.0.0.1 URLs and nothing else.
import http from 'node:http';

export type LoadJob = {
  /** One URL, or several taken in turn (to measure answers that cannot come from a cache). */
  url: string;
  urls?: string[];
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** A bound whatever the speed, so a run always ends. */
  maxRequests: number;
  headers: Record<string, string>;
};

export type LoadResult = {
  url: string;
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  /** Status codes other than 200 and 304, counted. */
  statuses: Record<string, number>;
  bytes: number;
};

function get(agent: http.Agent, url: URL, headers: Record<string, string>): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

const quantile = (sorted: number[], q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const urls = (job.urls && job.urls.length > 0 ? job.urls : [job.url]).map((u) => new URL(u));
  if (urls.some((u) => u.hostname !== '127.0.0.1' && u.hostname !== 'localhost')) throw new Error('loopback only');
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections, maxFreeSockets: job.connections });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let bytes = 0;
  let sent = 0;
  const startedAt = performance.now();
  const measureFrom = startedAt + job.warmupMs;
  const endAt = measureFrom + job.durationMs;
  let measuredRequests = 0;

  async function connection(): Promise<void> {
    while (performance.now() < endAt && sent < job.maxRequests) {
      const url = urls[sent % urls.length]!;
      sent += 1;
      const begin = performance.now();
      try {
        const answer = await get(agent, url, job.headers);
        const end = performance.now();
        if (begin >= measureFrom && end <= endAt) {
          measuredRequests += 1;
          latencies.push(end - begin);
          bytes += answer.bytes;
          if (answer.status !== 200 && answer.status !== 304) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        }
      } catch {
        errors += 1;
      }
    }
  }

  await Promise.all(Array.from({ length: job.connections }, connection));
  agent.destroy();
  const measuredSeconds = Math.max(0.001, (Math.min(performance.now(), endAt) - Math.min(measureFrom, performance.now())) / 1000);
  latencies.sort((a, b) => a - b);
  return {
    url: job.url,
    requests: measuredRequests,
    seconds: measuredSeconds,
    perSecond: measuredRequests / measuredSeconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? 0,
    errors,
    statuses,
    bytes,
  };
}

// As a child process: one job per message, one result back.
if (process.send) {
  process.on('message', (job: LoadJob | 'exit') => {
    if (job === 'exit') process.exit(0);
    runLoad(job).then(
      (result) => process.send!({ ok: true, result }),
      (error: Error) => process.send!({ ok: false, error: error.message }),
    );
  });
  process.send({ ready: true });
}
