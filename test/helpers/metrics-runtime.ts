// Imported FIRST by a test file that wants the Temporal SDK's runtime metrics, as the worker process has
// them (worker/main.ts): the SDK Core Runtime is installed once per module registry, at the first import
// of test/helpers/stack.ts otherwise, and its metrics exporter can only be chosen then. Core binds the
// exporter on a loopback port found free by a probe; the probe runs in a child process because the
// port must be known before any `await` (module loading is synchronous).
import { execFileSync } from 'node:child_process';
import { DefaultLogger, Runtime } from '@temporalio/worker';

const PROBE = "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
const port = Number(execFileSync(process.execPath, ['-e', PROBE], { encoding: 'utf8' }));
if (!Number.isInteger(port) || port <= 0) throw new Error(`could not find a free port for the SDK metrics exporter (probe said ${port})`);

/** The SDK Core exporter's text (`temporal_*`), to pass to startTestStack({ metrics: { sdkMetricsUrl } }). */
export const SDK_METRICS_URL = `http://127.0.0.1:${port}/metrics`;

// Throws when a Runtime already exists in this module registry: then this file was not imported first.
Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } });
