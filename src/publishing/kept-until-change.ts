import type { ContentChange, ContentChanges } from '#src/publishing/content-changes.js';

/**
 * A value loaded once and kept in memory until a committed content change (from any
 * process) makes it stale: the few sites, the hand-made feeds. A load that raced a change
 * is not kept, and a failed load is tried again on the next call.
 */
export class KeptUntilChange<T> {
  private cached?: Promise<T>;
  /** Goes up with every change heard, so a load that raced a change is not kept. */
  private generation = 0;

  constructor(private readonly load: () => Promise<T>) {}

  /** Drops the value after each change `affects`. Call from onModuleInit. */
  listen(changes: ContentChanges, affects: (change: ContentChange) => boolean): void {
    changes.onChange((change) => {
      if (affects(change)) this.invalidate();
    });
  }

  invalidate(): void {
    this.generation++;
    this.cached = undefined;
  }

  get(): Promise<T> {
    if (this.cached) return this.cached;
    const generation = this.generation;
    const loading = this.load();
    this.cached = loading;
    loading.then(
      () => {
        if (generation !== this.generation && this.cached === loading) this.cached = undefined;
      },
      () => {
        if (this.cached === loading) this.cached = undefined;
      },
    );
    return loading;
  }
}
