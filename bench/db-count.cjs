// Loaded into the worker and API processes with `--require` (NODE_OPTIONS) when the bench runs an
// embedded stack: counts every statement the process sends to PostgreSQL (one `pg` Client.query is one
// round trip: BEGIN and COMMIT included, which knex's own 'query' event would hide behind transactions)
// and reports the counts to the bench in BENCH_DB_COUNT_DIR/<folder>-<pid>.json (worker-1234.json).
// Counting is one Map update per statement; the file is rewritten at most every 200 ms and at exit, and
// the bench waits for the counts to settle before it reads them.
const fs = require('node:fs');
const path = require('node:path');
const { setInterval } = require('node:timers');

const dir = process.env.BENCH_DB_COUNT_DIR;
if (dir) {
  const entry = process.argv[process.argv.length - 1] ?? 'node';
  const file = path.join(dir, `${path.basename(path.dirname(entry))}-${process.pid}.json`);
  // The project's own `pg`, the module instance knex will load: patching its prototype counts every client.
  const pg = require(require.resolve('pg', { paths: [process.cwd()] }));
  const byStatement = new Map();
  let total = 0;
  let written = -1;

  /** Literal values never reach the file: knex binds them as $n, and digits are folded just in case. */
  const statementOf = (config) => {
    const text = typeof config === 'string' ? config : config && typeof config.text === 'string' ? config.text : '?';
    return text.replace(/\s+/g, ' ').replace(/\d+/g, 'N').slice(0, 160);
  };

  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(config, ...rest) {
    total += 1;
    const statement = statementOf(config);
    byStatement.set(statement, (byStatement.get(statement) ?? 0) + 1);
    return original.call(this, config, ...rest);
  };

  const flush = () => {
    if (written === total) return;
    written = total;
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ pid: process.pid, total, byStatement: Object.fromEntries(byStatement) }));
    fs.renameSync(tmp, file);
  };
  fs.mkdirSync(dir, { recursive: true });
  flush();
  setInterval(flush, 200).unref();
  process.on('exit', flush);
}
