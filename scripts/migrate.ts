// `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded cluster under
// .data/pg when it is unset (starting it for the duration of the run, or using the one `npm start` runs).
import { openDatabase, redactUrl } from '../db';

async function main(): Promise<void> {
  const db = await openDatabase({ migrate: true, log: (line) => console.log(line) });
  console.log(`Migrated ${redactUrl(db.url)}`);
  await db.close();
}

main().catch((error: unknown) => {
  console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
