import { connect, createServer, type Socket } from 'node:net';

export interface FreezeProxy {
  /** host:port to give the client instead of the target's. */
  endpoint: string;
  /** A silent partition: nothing passes either way, no connection is closed, a new one goes nowhere. */
  freeze(): void;
  /** The network is back; connections held through the partition are reset (their state is gone), new ones pass. */
  thaw(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of `target` (host:port) that can go silent, as a network partition does. */
export async function startFreezeProxy(target: string): Promise<FreezeProxy> {
  const [host, port] = target.split(':') as [string, string];
  let frozen = false;
  const live = new Set<[Socket, Socket]>();
  const held = new Set<Socket>();
  const hold = (s: Socket): void => {
    s.pause();
    held.add(s);
  };
  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (frozen) return hold(client);
    const upstream = connect({ host, port: Number(port) });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    const pair: [Socket, Socket] = [client, upstream];
    live.add(pair);
    const forget = (): void => void live.delete(pair);
    client.once('close', forget);
    upstream.once('close', forget);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    endpoint: `127.0.0.1:${address.port}`,
    freeze() {
      frozen = true;
      for (const [client, upstream] of live) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        hold(client);
        hold(upstream);
      }
      live.clear();
    },
    thaw() {
      frozen = false;
      for (const s of held) s.destroy();
      held.clear();
    },
    async close() {
      for (const s of held) s.destroy();
      for (const [a, b] of live) (a.destroy(), b.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
