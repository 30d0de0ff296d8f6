import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * The network between bots and one simulated puppet service: a TCP proxy on
 * the service's published endpoint, in front of the gRPC server. It can be
 * cut (connections refused and closed: the service is gone) or go silent (a
 * network partition: nothing passes either way, nothing is closed, a new
 * connection goes nowhere), and be restored.
 */
export class SimNetwork {
  private server: Server | undefined;
  private silent = false;
  private readonly live = new Set<[Socket, Socket]>();
  private readonly held = new Set<Socket>();
  /** Every socket open on either side (a server's close waits for all of its connections). */
  private readonly open = new Set<Socket>();

  private constructor(private readonly listenOn: { host: string; port: number }, private readonly target: { host: string; port: number }) {}

  /**
   * Listen on `endpoint` (host:port; port 0: one the system gives, taken as it
   * is given, where a port picked first and bound after could be taken by
   * another process between the two), passing everything to `target`.
   */
  static async open(endpoint: string, target: string): Promise<SimNetwork> {
    const net = new SimNetwork(hostPort(endpoint), hostPort(target));
    await net.listen();
    return net;
  }

  /** Where it listens (host:port); restored at the same place after a cut. */
  get endpoint(): string {
    return `${this.listenOn.host}:${this.listenOn.port}`;
  }

  /** A partition: what is under way stops passing and stays open; new connections go nowhere. */
  silence(): void {
    this.silent = true;
    for (const [client, upstream] of this.live) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      this.hold(client);
      this.hold(upstream);
    }
    this.live.clear();
  }

  /** The partition ends: connections held through it are reset (their state is gone on the way), new ones pass. */
  heal(): void {
    this.silent = false;
    for (const s of this.held) s.destroy();
    this.held.clear();
  }

  /** The service is gone: every connection is closed and new ones are refused. */
  async cut(): Promise<void> {
    this.heal();
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    this.live.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Reachable again at the same endpoint. */
  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }

  close(): Promise<void> {
    return this.cut();
  }

  private async listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenOn.port, this.listenOn.host, () => (server.off('error', reject), resolve()));
    });
    this.listenOn.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.silent) return this.hold(client);
    const upstream = this.track(connect(this.target));
    client.pipe(upstream);
    upstream.pipe(client);
    const pair: [Socket, Socket] = [client, upstream];
    this.live.add(pair);
    // one side gone (closed, reset, its process killed): the other goes too
    const gone = (): void => {
      this.live.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', gone);
    upstream.once('close', gone);
  }

  private track(socket: Socket): Socket {
    // gRPC's small frames go at once, as on a direct connection (Nagle's delay would hold each one for an acknowledgement)
    socket.setNoDelay(true);
    this.open.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.open.delete(socket));
    return socket;
  }

  private hold(s: Socket): void {
    s.pause();
    this.held.add(s);
  }
}

function hostPort(endpoint: string): { host: string; port: number } {
  const i = endpoint.lastIndexOf(':');
  return { host: endpoint.slice(0, i), port: Number(endpoint.slice(i + 1)) };
}
