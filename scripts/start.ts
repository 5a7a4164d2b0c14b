// `npm start`: the whole system on embedded defaults (DESIGN.md §2), state under .data/, Ctrl-C stops it.
import { ConfigurationError, EXIT_CONFIGURATION } from '../config/errors';
import type { TimelinePatch } from '../simulator/timeline';
import { redactUrl, startStack } from './stack';

/**
 * Over the simulator's demo timeline: purchase orders arrive in two batches 15 s apart (the first
 * 10 s after JD accepted the PO), so a demo PO is PARTIALLY_RECEIVED for a while before it is RECEIVED
 * (docs/purchase-orders.md walks through it); a return comes back in full 10 s after JD accepted it, so
 * it is WAITING_INBOUND for a few polls before it is RECEIVED (docs/returns.md walks through it).
 */
const NPM_START_TIMELINE: TimelinePatch = {
  purchaseOrder: { receiveAfterMs: 10_000, receiptBatches: 2, receiptIntervalMs: 15_000 },
  returnOrder: { receiveAfterMs: 10_000 },
};

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    say('\n[start] stopping…');
    await stack.stop();
    process.exit(code);
  };
  const stack = await startStack({
    timeline: NPM_START_TIMELINE,
    log: (line) => say(`[start] ${line}`),
    // A process that cannot start with these settings stops the whole system with its message.
    onConfigurationError: () => void stop(EXIT_CONFIGURATION),
  });
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  say('');
  say('eclp-bridge is running');
  say(`  API            ${stack.apiUrl}   (OpenAPI: /docs, health: /healthz, /readyz)`);
  say(`  Metrics        API ${stack.apiMetricsUrl} (operator token)${stack.workerMetricsUrls.map((url, i) => `   worker${stack.workerMetricsUrls.length > 1 ? ` ${i + 1}` : ''} ${url}`).join('')}`);
  say(`  Temporal       ${stack.temporalAddress}${stack.uiUrl ? `   Web UI: ${stack.uiUrl}` : ''}`);
  say(`  PostgreSQL     ${redactUrl(stack.databaseUrl)}${stack.embeddedDatabase ? '   (embedded, data in .data/pg)' : ''}`);
  say(`  JD gateway     ${stack.gatewayUrl}${stack.simulatorUrl ? `   (simulator; state: ${stack.simulatorUrl}/_sim/state)` : ''}`);
  if (stack.devTokens) {
    say('');
    say('  WARNING: API_TOKENS is not set; using development tokens (kept in .data/dev-tokens.json):');
    for (const [role, token] of Object.entries(stack.devTokens)) say(`    ${role.padEnd(9)} ${token}`);
  }
  say('');
  say('Ctrl-C stops everything; state is kept under .data/ for the next start.');
}

main().catch((err) => {
  say(`[start] failed: ${(err as Error).message}`);
  process.exit(err instanceof ConfigurationError ? EXIT_CONFIGURATION : 1);
});
