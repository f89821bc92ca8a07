import { describe, expect, it } from '@jest/globals';
import { InvalidConfigError, loadConfig } from '#src/config/app-config.js';

const base = { NODE_ENV: 'test', SECRET_KEY: 'x'.repeat(40), DATA_DIR: '/tmp/finch-config-spec' };

describe('REVISION_RETENTION_DAYS', () => {
  it('keeps every revision by default (0) and reads a number of days', () => {
    expect(loadConfig(base).config.publishing.revisionRetentionDays).toBe(0);
    expect(
      loadConfig({ ...base, REVISION_RETENTION_DAYS: '90' }).config.publishing
        .revisionRetentionDays,
    ).toBe(90);
  });

  it.each(['-1', '1.5', 'forever', '40000'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ ...base, REVISION_RETENTION_DAYS: value })).toThrow(
      InvalidConfigError,
    );
    expect(() => loadConfig({ ...base, REVISION_RETENTION_DAYS: value })).toThrow(
      /REVISION_RETENTION_DAYS=.*expected a number of days/,
    );
  });
});
