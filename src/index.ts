/**
 * Entry point of the GitHub Action (bundled to dist/index.js, action.yml's `main`): the only module of the
 * Action with top-level side effects. It exits explicitly once the work is done, so that a retry timer
 * left behind by the HTTP client cannot keep the step running.
 */
import { runActionWithRunner } from './action/main.js';

await runActionWithRunner(process.env);
process.exit(process.exitCode ?? 0);
