import pg from 'pg';

/** Drops the template and any database a crashed test file left behind. */
export default async function globalTeardown() {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl || process.env.NODE_ENV !== 'test') return;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  const { rows } = await client.query(
    "SELECT datname FROM pg_database WHERE datname LIKE 'finch\\_test\\_%' AND datname ~ $1",
    [`_${process.pid}(_|$)`],
  );
  for (const { datname } of rows) {
    await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  await client.end();
}
