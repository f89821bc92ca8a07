import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { InvalidConfigError, loadConfig } from '#src/config/app-config.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'finch-first-superuser-spec-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const load = (env: Record<string, string | undefined>) =>
  loadConfig({ DATA_DIR: dataDir, SECRET_KEY: 'x'.repeat(40), ...env });

function refusal(env: Record<string, string | undefined>): InvalidConfigError {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return error as InvalidConfigError;
  }
  throw new Error('expected the configuration to be refused');
}

describe('FINCH_ADMIN_EMAIL and FINCH_ADMIN_PASSWORD', () => {
  it('are unset by default: no superuser is created at boot', () => {
    expect(load({}).config.firstSuperuser).toBeUndefined();
  });

  it('together describe the first superuser', () => {
    const { config } = load({
      FINCH_ADMIN_EMAIL: 'ops@example.com',
      FINCH_ADMIN_PASSWORD: 'a long unattended passphrase',
    });
    expect(config.firstSuperuser).toEqual({
      email: 'ops@example.com',
      password: 'a long unattended passphrase',
    });
  });

  it('count as unset when empty, as docker compose passes ${FINCH_ADMIN_EMAIL:-}', () => {
    expect(
      load({ FINCH_ADMIN_EMAIL: '', FINCH_ADMIN_PASSWORD: '' }).config.firstSuperuser,
    ).toBeUndefined();
  });

  it('refuse one without the other, naming the missing one', () => {
    expect(refusal({ FINCH_ADMIN_EMAIL: 'ops@example.com' }).problems).toEqual([
      {
        variable: 'FINCH_ADMIN_PASSWORD',
        expected: 'needed with FINCH_ADMIN_EMAIL: the password of the first superuser',
      },
    ]);
    const error = refusal({ FINCH_ADMIN_PASSWORD: 'a long unattended passphrase' });
    expect(error.problems.map((problem) => problem.variable)).toEqual(['FINCH_ADMIN_EMAIL']);
    expect(error.message).not.toContain('a long unattended passphrase');
  });

  it('refuse an email that is not one', () => {
    const error = refusal({ FINCH_ADMIN_EMAIL: 'ops', FINCH_ADMIN_PASSWORD: 'a long passphrase!' });
    expect(error.message).toContain(
      'FINCH_ADMIN_EMAIL="ops" is wrong: expected an email address such as admin@example.com',
    );
  });

  it('never show the password in an error, masking it like other secrets', () => {
    const error = refusal({
      FINCH_ADMIN_EMAIL: 'not an email',
      FINCH_ADMIN_PASSWORD: 'my secret passphrase',
      PORT: 'abc',
    });
    expect(error.message).not.toContain('my secret passphrase');
    expect(JSON.stringify(error.problems)).not.toContain('my secret passphrase');
  });
});
