// Sockets of calls answered with silence (the timeoutAfterCommit fault): held open, then destroyed, like a
// gateway that committed the request and then lost the connection. close() destroys whatever is still held.
import type { Socket } from 'node:net';
import { TimerSet } from './timers';

export class HeldConnections {
  private readonly sockets = new Set<Socket>();
  private readonly timers = new TimerSet();

  hold(socket: Socket, forMs: number): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.timers.after(forMs, () => {
      this.sockets.delete(socket);
      socket.destroy();
    });
  }

  get size(): number {
    return this.sockets.size;
  }

  releaseAll(): void {
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}
