// Free local ports for servers a test, the bench or the chaos run starts on its own.
import net from 'node:net';

/**
 * A port nothing listens on right now: the OS picks it for a probe that is closed at once. Another
 * process may take it before the caller binds it; callers start their servers soon after.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
