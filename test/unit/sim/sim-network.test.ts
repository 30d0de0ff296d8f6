import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { SimNetwork } from '../../../src/sim/sim-network.js';

/** An echo server standing for a puppet service; `sockets` are its side of each connection. */
async function echoServer(): Promise<{ endpoint: string; sockets: Socket[]; server: Server }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `127.0.0.1:${(server.address() as { port: number }).port}`, sockets, server };
}

/** A client of `endpoint`: what it has read so far, whether it was closed, and the error that ended it. */
function client(endpoint: string): { socket: Socket; read: () => string; closed: () => boolean; error: () => string | undefined } {
  const [host, port] = endpoint.split(':') as [string, string];
  const socket = connect({ host, port: Number(port) });
  let data = '';
  let closed = false;
  let error: string | undefined;
  socket.on('data', (d) => (data += String(d)));
  socket.on('close', () => (closed = true));
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
  return { socket, read: () => data, closed: () => closed, error: () => error };
}

const until = async (check: () => boolean, ms = 2000): Promise<void> => {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the network between a bot and its simulated puppet service', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });
  const setUp = async () => {
    const target = await echoServer();
    // (port 0: the one the system gives; a cut and a restore keep it)
    const net = await SimNetwork.open('127.0.0.1:0', target.endpoint);
    const endpoint = net.endpoint;
    cleanup.push(() => net.close(), () => new Promise<void>((resolve) => target.server.close(() => resolve())), () => target.sockets.forEach((s) => s.destroy()));
    return { target, endpoint, net };
  };

  it('should pass everything, and let nothing through a partition without closing anything, until it heals', async () => {
    const { endpoint, net } = await setUp();
    const a = client(endpoint);
    a.socket.write('ping');
    await until(() => a.read() === 'ping');
    net.silence();
    a.socket.write('lost');
    const b = client(endpoint);
    b.socket.write('nowhere');
    await pause(200);
    expect([a.read(), b.read(), a.closed(), b.closed()]).toEqual(['ping', '', false, false]);
    net.heal();
    // what was held through the partition is reset; new connections pass
    await until(() => a.closed() && b.closed());
    const c = client(endpoint);
    c.socket.write('again');
    await until(() => c.read() === 'again');
    c.socket.destroy();
  });

  it('should close every connection and refuse new ones when cut, and take them again when restored', async () => {
    const { endpoint, net } = await setUp();
    const a = client(endpoint);
    a.socket.write('x');
    await until(() => a.read() === 'x');
    await net.cut();
    await until(() => a.closed());
    const refused = client(endpoint);
    await until(() => refused.error() !== undefined);
    expect(refused.error()).toBe('ECONNREFUSED');
    await net.restore();
    const b = client(endpoint);
    b.socket.write('y');
    await until(() => b.read() === 'y');
    b.socket.destroy();
  });

  it('should close one side when the other goes, and stop at once though a client never closes its side', async () => {
    const { target, endpoint, net } = await setUp();
    const a = client(endpoint);
    a.socket.write('x');
    await until(() => a.read() === 'x');
    target.sockets[0]!.destroy();
    await until(() => a.closed());
    // and the other way: a bot's process killed (its connection reset) closes the service's side, or the service's stop waits for it
    const killed = client(endpoint);
    killed.socket.write('k');
    await until(() => killed.read() === 'k');
    const serviceSide = target.sockets[1]!;
    let serviceSideClosed = false;
    serviceSide.once('close', () => (serviceSideClosed = true));
    killed.socket.resetAndDestroy();
    await until(() => serviceSideClosed);
    // a client that keeps its connection open (a worker that was killed leaves one half-open) does not hold the stop
    const idle = client(endpoint);
    idle.socket.write('z');
    await until(() => idle.read() === 'z');
    const t = Date.now();
    await net.close();
    expect(Date.now() - t).toBeLessThan(1000);
    await until(() => idle.closed());
  });
});
