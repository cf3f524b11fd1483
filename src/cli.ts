/**
 * Entry point of the command line (bundled to dist/cli.js, `guardrail-gate` in package.json's bin): the only
 * module of the CLI with side effects. Sets the exit status instead of calling process.exit, so that a large
 * report piped to another program is flushed completely.
 */
import { main } from './cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  stdoutIsTty: process.stdout.isTTY === true,
});
