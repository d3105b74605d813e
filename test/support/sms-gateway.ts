// A local HTTP SMS gateway: records each request and answers with the status the test sets.
import http from 'node:http';

export type GatewayRequest = { method: string; path: string; headers: http.IncomingHttpHeaders; body: string };

export type TestSmsGateway = {
  url: string;
  requests: GatewayRequest[];
  /** The status the next requests get (200 by default). */
  respondWith(status: number): void;
  /** Holds every request until `release()` is called, to keep a job in flight. */
  hold(): { arrived: Promise<void>; release(): void };
  close(): Promise<void>;
};

export async function startTestSmsGateway(): Promise<TestSmsGateway> {
  const requests: GatewayRequest[] = [];
  let status = 200;
  let holding: { arrive(): void; released: Promise<void> } | undefined;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (holding) {
        holding.arrive();
        await holding.released;
      }
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(status < 300 ? '{"status":"accepted"}' : '{"error":"gateway trouble"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/send`,
    requests,
    respondWith(next) {
      status = next;
    },
    hold() {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holding = { arrive, released };
      return {
        arrived,
        release() {
          holding = undefined;
          release();
        },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
