import type { Logger } from '../adapters/ports.js';

/**
 * Logger for the command line: everything goes to stderr, so that stdout holds nothing but the report
 * (one JSON document with `--format json`). Debug lines only with `--debug`.
 */
export class StderrLogger implements Logger {
  constructor(
    private readonly write: (text: string) => void,
    private readonly verbose: boolean,
  ) {}

  debug(message: string): void {
    if (this.verbose) this.write(`debug: ${message}\n`);
  }
  info(message: string): void {
    this.write(`${message}\n`);
  }
  warning(message: string): void {
    this.write(`warning: ${message}\n`);
  }
  error(message: string): void {
    this.write(`error: ${message}\n`);
  }
}
