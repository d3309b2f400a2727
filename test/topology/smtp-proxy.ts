/**
 * A TCP proxy in front of Mailpit that the topology specs use to inject SMTP faults: `down` (every
 * connection is cut at once, as a server that is gone), and `hold` (a message to a matching recipient
 * is kept at the end of its DATA — transmitted but not yet accepted — until released or its sender
 * dies, so that a worker can be killed while it sends).
 */
import net from 'node:net';

export interface SmtpProxy {
  url: string;
  port: number;
  setDown(down: boolean): void;
  /** Holds messages to recipients that match, until `release()`. */
  hold(recipient: RegExp): void;
  release(): void;
  /** Messages held right now. */
  heldCount(): number;
  /** Connections refused while down. */
  refused(): number;
  close(): Promise<void>;
}

export async function startSmtpProxy(target: { host: string; port: number }): Promise<SmtpProxy> {
  let down = false;
  let holdPattern: RegExp | undefined;
  let refused = 0;
  const held = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    if (down) {
      refused++;
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    const rcpts: string[] = [];
    let inData = false;
    let pending = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      if (!inData) for (const m of text.matchAll(/RCPT TO:\s*<([^>]+)>/gi)) rcpts.push(m[1]!);
      if (/^DATA\r?\n/im.test(text)) inData = true;
      const endsData = inData && /\r\n\.\r\n/.test(text);
      const mustHold = endsData && !!holdPattern && rcpts.some((r) => holdPattern!.test(r));
      if (endsData) {
        inData = false;
        rcpts.length = 0;
      }
      // Chunks go upstream in order; a held one waits (and everything after it) until released.
      pending = pending.then(async () => {
        if (mustHold) {
          await new Promise<void>((resolve) => {
            const release = () => {
              held.delete(release);
              resolve();
            };
            held.add(release);
            client.once('close', release);
          });
          if (client.destroyed) return; // its sender died while held: the message is never completed
        }
        if (!upstream.destroyed) upstream.write(chunk);
      });
    });
    upstream.on('data', (d) => {
      if (!client.destroyed) client.write(d);
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
    client.on('close', () => void pending.then(() => upstream.destroy()));
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    setDown(d) {
      down = d;
      if (d) for (const s of sockets) s.destroy();
    },
    hold(recipient) {
      holdPattern = recipient;
    },
    release() {
      holdPattern = undefined;
      for (const r of [...held]) r();
    },
    heldCount: () => held.size,
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
