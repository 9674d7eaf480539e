import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse, type RequestHandler } from 'msw';

export interface HttpTransport {
  /** "http://127.0.0.1:PORT" */
  readonly origin: string;
  close(): Promise<void>;
}

// Connection-level headers describe the socket, not the request; undici's Request
// rejects some of them outright.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'expect',
]);

async function toFetchRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.append(name, req.rawHeaders[i + 1] ?? '');
  }
  const method = req.method ?? 'GET';
  const canHaveBody = method !== 'GET' && method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', origin), {
    method,
    headers,
    ...(canHaveBody && body.byteLength > 0 ? { body } : {}),
  });
}

async function answer(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(body);
}

function internalError(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({
    error: { code: status, message, errors: [{ message, domain: 'global', reason: 'gcsFake' }] },
  });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
  res.end(body);
}

/** What becomes of an answer once the handlers have carried a request out. */
export type AnswerFault = 'reset' | number | undefined;

/**
 * Serves msw handlers over real HTTP so other processes can reach them: each
 * request becomes a Fetch Request answered by msw's `getResponse`. A Response.error()
 * (msw's network error) destroys the socket, which the client sees as ECONNRESET.
 * `afterCommit` may then lose the answer (`reset`) or replace it with an error status.
 */
export async function serveHandlers(
  handlers: RequestHandler[],
  afterCommit: (request: Request) => AnswerFault = () => undefined,
): Promise<HttpTransport> {
  let origin = '';
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const request = await toFetchRequest(req, origin);
        const response = await getResponse(handlers, request);
        const fault = response?.type === 'error' ? undefined : afterCommit(request);
        if (fault === 'reset') {
          req.socket.destroy();
        } else if (fault !== undefined) {
          internalError(res, fault, `Injected fault ${fault} after the request was carried out.`);
        } else if (response === undefined) {
          internalError(res, 501, `gcs-fake does not implement ${request.method} ${req.url ?? ''}`);
        } else if (response.type === 'error') {
          req.socket.destroy();
        } else {
          await answer(response, res);
        }
      } catch (err) {
        internalError(
          res,
          500,
          `gcs-fake failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
      }
    })();
  });
  // Node's 5 s default lets the server drop an idle keep-alive socket just as a
  // client reuses it: a spurious ECONNRESET in a test that injected no fault.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closed: Promise<void> | undefined;
  return {
    origin,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err) reject(err);
          else resolve();
        });
        // Clients keep sockets alive; close() alone would wait for them to idle out.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
