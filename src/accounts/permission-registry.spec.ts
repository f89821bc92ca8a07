import { describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PermissionRegistryModule } from '#src/accounts/permission-registry.module.js';
import {
  isWellFormedCodename,
  PermissionRegistry,
  registerPermissions,
  UnknownPermissionError,
} from '#src/accounts/permission-registry.js';

const addImage = { codename: 'add_image', label: 'Add images', description: 'Upload images.' };
const changeAuthor = {
  codename: 'change_snippet:author',
  label: 'Change authors',
  description: 'Edit author snippets.',
};

describe('permission codenames', () => {
  it.each(['manage_users', 'view_audit_log', 'add_image', 'change_snippet:author', 'publish_page'])(
    'accepts %s',
    (codename) => expect(isWellFormedCodename(codename)).toBe(true),
  );

  it.each([
    'users',
    'Manage_users',
    'manage users',
    'manage__users',
    '_manage_users',
    'manage_users_',
    'change_snippet:',
    'change_snippet:Author',
    'add_image;drop',
    `add_${'x'.repeat(97)}`,
  ])('refuses %s', (codename) => expect(isWellFormedCodename(codename)).toBe(false));
});

describe('PermissionRegistry', () => {
  it('lists what modules register, sorted, with the owning module', () => {
    const registry = new PermissionRegistry();
    registry.register('snippets', [changeAuthor]);
    registry.register('media', [addImage]);
    expect(registry.all()).toEqual([
      { ...addImage, module: 'media' },
      { ...changeAuthor, module: 'snippets' },
    ]);
    expect(registry.has('add_image')).toBe(true);
    expect(registry.has('add_images')).toBe(false);
    expect(registry.get('change_snippet:author')?.label).toBe('Change authors');
  });

  it('refuses a malformed codename, a missing label, and one codename owned twice', () => {
    const registry = new PermissionRegistry();
    expect(() => registry.register('media', [{ ...addImage, codename: 'Add Image' }])).toThrow(
      /must read <action>_<resource>/,
    );
    expect(() => registry.register('media', [{ ...addImage, label: ' ' }])).toThrow(
      /needs a label and a description/,
    );
    registry.register('media', [addImage]);
    // The same module registering the same definition again is harmless.
    registry.register('media', [addImage]);
    expect(() => registry.register('documents', [addImage])).toThrow(
      /registered twice \(modules media and documents\)/,
    );
  });

  it('refuses to grant unregistered codenames, naming each by its position', () => {
    const registry = new PermissionRegistry();
    registry.register('media', [addImage]);
    expect(() => registry.assertGrantable(['add_image'])).not.toThrow();
    let thrown: unknown;
    try {
      registry.assertGrantable(['add_image', 'add_images', 'launch_rockets'], 'grants');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UnknownPermissionError);
    expect(thrown).toMatchObject({
      status: 400,
      slug: 'unknown-permission',
      errors: [
        { path: 'grants[1]', message: '"add_images" is not a registered permission' },
        { path: 'grants[2]', message: '"launch_rockets" is not a registered permission' },
      ],
    });
  });
});

describe('registerPermissions', () => {
  it('registers a module’s permissions into the one registry every module shares', async () => {
    @Module({
      imports: [PermissionRegistryModule],
      providers: [registerPermissions('media', [addImage])],
    })
    class MediaModule {}
    @Module({
      imports: [PermissionRegistryModule],
      providers: [registerPermissions('snippets', [changeAuthor])],
    })
    class SnippetsModule {}

    const testing = await Test.createTestingModule({
      imports: [MediaModule, SnippetsModule],
    }).compile();
    const registry = testing.get(PermissionRegistry);
    expect(registry.all().map((permission) => permission.codename)).toEqual([
      'add_image',
      'change_snippet:author',
    ]);
    await testing.close();
  });
});
