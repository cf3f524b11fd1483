import picomatch from 'picomatch';
import { parse as parseYaml, YAMLParseError } from '../yaml-library.js';
import { z } from 'zod';
import { describeUnknownRule, knownRuleIds } from '../detect/rule-ids.js';
import { ConfigurationError } from '../errors.js';
import { LEVELS, SEVERITIES } from '../model.js';

const failOn = z.enum(LEVELS);
const severity = z.enum(SEVERITIES);

const ruleSetting = z.union([
  z.enum(['off', ...SEVERITIES]),
  z.strictObject({ enabled: z.boolean().optional(), severity: severity.optional() }),
]);

/** A glob picomatch can compile: an empty one (or one it rejects) is the user's mistake, said at its key. */
const glob = z.string().superRefine((value, context) => {
  if (value.trim() === '') {
    context.addIssue({ code: 'custom', message: 'an empty glob matches nothing: remove it or write a pattern such as "src/**"' });
    return;
  }
  try {
    picomatch.makeRe(value, { dot: true });
  } catch (error) {
    context.addIssue({ code: 'custom', message: `not a usable glob (${error instanceof Error ? error.message : String(error)})` });
  }
});

/**
 * The configuration file (`.github/guardrail-gate.yml`). Strict objects everywhere: an unknown key is an
 * error that names its path, never silently ignored (CONTRACT §4).
 */
export const configSchema = z.strictObject({
  'fail-on': failOn.default('high'),
  include: z.array(glob).default([]),
  exclude: z.array(glob).default([]),
  'critical-paths': z.array(glob).default([]),
  rules: z.record(z.string(), ruleSetting).default({}),
  tests: z
    .strictObject({
      patterns: z.array(glob).default([]),
      command: z.string().optional(),
    })
    .default({ patterns: [] }),
  hotspots: z.array(z.string()).default([]),
  coverage: z.array(z.string()).default([]),
  'max-file-bytes': z.number().int().positive().default(1_000_000),
  /**
   * Changed source files read and analyzed at most; the rest are listed as skipped and the report says
   * so. Keeps a 10,000-file pull request (a vendored tree, a mass rename) within a CI step's time and memory.
   */
  'max-files': z.number().int().positive().default(3_000),
  /**
   * Seconds the analysis of changed files may take; files not reached by then are listed as skipped and
   * the report says so, so that the gate answers instead of the job timing out.
   */
  'time-budget-seconds': z.number().positive().default(600),
  ai: z
    .strictObject({
      'fail-on': failOn.optional(),
      'required-checks': z.array(z.strictObject({ id: z.string(), title: z.string(), reason: z.string().default('') })).default([]),
    })
    .default({ 'required-checks': [] }),
  publish: z
    .strictObject({
      comment: z.boolean().default(true),
      'review-comments': z.boolean().default(true),
      summary: z.boolean().default(true),
      annotations: z.boolean().default(true),
    })
    .default({ comment: true, 'review-comments': true, summary: true, annotations: true }),
});

export type Config = z.infer<typeof configSchema>;

/** The configuration used when the repository has none. */
export function defaultConfig(): Config {
  return configSchema.parse({});
}

/**
 * Parses and validates a configuration file's text. Throws ConfigurationError naming the key's path and
 * the expected form.
 */
export function parseConfig(text: string, source: string): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message.split('\n')[0] : String(error);
    throw new ConfigurationError(`${source}: not valid YAML: ${detail}`);
  }
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) {
    throw new ConfigurationError(`${source}: expected a mapping of keys (fail-on, rules, ...) at the top level`);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new ConfigurationError(`${source}: ${where}: ${describeIssue(issue)}`);
  }
  // A misspelt rule id would silently configure nothing: reject it, as ESLint does, with the known ids.
  const known = knownRuleIds();
  const unknown = Object.keys(result.data.rules).find((id) => !known.includes(id));
  if (unknown !== undefined) throw new ConfigurationError(`${source}: rules.${unknown}: ${describeUnknownRule(unknown, known)}`);
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return issue.message;
}
