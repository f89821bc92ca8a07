import { describe, expect, it } from '@jest/globals';
import { PAGE_PERMISSION_TYPES } from '#src/pages/page-permission.entity.js';
import {
  PAGE_PERMISSION_CODENAMES,
  PAGES_PERMISSIONS,
  pagePermissionTypeOf,
} from '#src/pages/pages.permissions.js';

describe('page permission codenames', () => {
  it('registers one codename per grant type, plus manage_sites', () => {
    const registered = PAGES_PERMISSIONS.map((permission) => permission.codename);
    for (const type of PAGE_PERMISSION_TYPES) {
      expect(registered).toContain(PAGE_PERMISSION_CODENAMES[type]);
    }
    expect(registered).toContain('manage_sites');
  });

  it('maps a codename back to the grant type a page_permissions row stores', () => {
    expect(pagePermissionTypeOf('change_page')).toBe('change');
    expect(pagePermissionTypeOf('unlock_page')).toBe('unlock');
    expect(pagePermissionTypeOf('manage_sites')).toBeUndefined();
    expect(pagePermissionTypeOf('change_snippet')).toBeUndefined();
  });
});
