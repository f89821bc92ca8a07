import pg from 'pg';

const SAFE_DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function quoted(name: string): string {
  if (!SAFE_DATABASE_NAME.test(name)) throw new Error(`Refusing unusual database name "${name}".`);
  return `"${name}"`;
}

/** The same server and credentials, another database. */
export function databaseUrlFor(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(
  serverUrl: string,
  name: string,
  options: { template?: string } = {},
): Promise<string> {
  const template = options.template ? ` TEMPLATE ${quoted(options.template)}` : '';
  await withClient(serverUrl, (client) =>
    client.query(`CREATE DATABASE ${quoted(name)}${template}`),
  );
  return databaseUrlFor(serverUrl, name);
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`),
  );
}
