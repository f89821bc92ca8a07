/** Destructive test helpers call this first: they never run against a real deployment. */
export function assertTestEnvironment(): void {
  if (process.env.NODE_ENV !== 'test') {
    throw new Error(
      `Refusing to run a destructive test helper with NODE_ENV=${process.env.NODE_ENV ?? '(unset)'}; it needs NODE_ENV=test.`,
    );
  }
}
