import { PassThrough } from 'node:stream';
import type { Terminal, TerminalInput } from '#src/cli/terminal-prompts.js';

/**
 * A terminal in memory for prompt tests: `answer()` queues what the person types after
 * each prompt appears; `shown` is everything they saw.
 */
export class FakeTerminal implements Terminal {
  readonly input: TerminalInput & PassThrough;
  readonly output = new PassThrough();
  shown = '';
  rawMode = false;
  private readonly script: Array<{ prompt: string; keys: string }> = [];
  private cursor = 0;

  constructor(isTTY = true) {
    const input = new PassThrough() as TerminalInput & PassThrough;
    input.isTTY = isTTY;
    if (isTTY) {
      input.setRawMode = (mode: boolean) => {
        this.rawMode = mode;
        return input;
      };
    }
    this.input = input;
    this.output.on('data', (chunk: Buffer) => {
      this.shown += chunk.toString();
      this.typeWhenPrompted();
    });
  }

  /** Types `keys` when `prompt` next appears (after the previous answer's prompt). */
  answer(prompt: string, keys: string): this {
    this.script.push({ prompt, keys });
    return this;
  }

  private typeWhenPrompted(): void {
    const next = this.script[0];
    if (!next) return;
    const at = this.shown.indexOf(next.prompt, this.cursor);
    if (at === -1) return;
    this.script.shift();
    this.cursor = at + next.prompt.length;
    // After the prompt's writer has started listening.
    setImmediate(() => this.input.write(next.keys));
  }
}
