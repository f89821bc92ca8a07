/**
 * A management command failed in a way it can explain: the message (what happened and
 * what to do next) is shown as it is, and the process exits with `exitCode` (1: it could
 * not be done; 2: it was asked wrongly).
 */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
