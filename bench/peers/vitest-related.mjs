// What `vitest related <files>` selects, without running the tests: the same module-graph walk
// (createVitest with `related`, then getRelevantTestSpecifications), printed as absolute paths.
// `vitest list` has no --related flag, and `vitest related --run` would execute the selected tests,
// which need the analyzed repository's dependencies installed.
//   node bench/peers/vitest-related.mjs <config file> <related file>...
import { createVitest } from 'vitest/node';

const [config, ...related] = process.argv.slice(2);
const vitest = await createVitest('test', { config, related, watch: false, run: true, passWithNoTests: true, reporters: [] }, {});
const specifications = await vitest.getRelevantTestSpecifications();
for (const file of [...new Set(specifications.map((spec) => spec.moduleId))].sort()) process.stdout.write(`${file}\n`);
await vitest.close();
