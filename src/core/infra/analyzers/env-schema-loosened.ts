import type { Severity } from '../../model.js';
import { isTestCode } from '../../paths.js';
import { defineAnalyzer, type AnalyzerFinding } from '../define-analyzer.js';
import { CODE_GLOBS, envReads, envSchema, insecureDefault, isToolingPath } from '../formats/env.js';

/**
 * env-schema-loosened: the check that a deployment is configured was loosened: a key of an environment schema
 * (zod, t3-env, envalid, Joi) went from required to optional, or a key was given an insecure literal default in
 * the schema or in code (`process.env.JWT_SECRET ?? 'dev-secret'`, `NODE_TLS_REJECT_UNAUTHORIZED` defaulting to
 * '0'): a deployment that forgets the key no longer fails at start, it runs with the default.
 */
export const envSchemaLoosened = defineAnalyzer({
  meta: {
    id: 'env-schema-loosened',
    category: 'config',
    severity: 'medium',
    description:
      'An environment schema key went from required to optional, or a key was given an insecure literal default (a secret, TLS checks off, debug on).',
    messages: {
      'made-optional': '{{key}} is no longer required by the environment schema: a deployment that forgets it starts anyway{{also}}',
      'insecure-default': '{{key}} now defaults to {{value}} when unset: {{why}}',
    },
    reads: CODE_GLOBS,
    docs: {
      catches:
        'In a changed source file that reads the environment: keys of an environment schema (`z.object({ X: z.string() })`, t3-env ' +
        '`createEnv`, envalid `cleanEnv(process.env, { X: str() })`, Joi) that were required in the base and are optional in the ' +
        'head (`.optional()`, `.nullish()`, `.default(…)`, envalid `default`): medium; a literal default newly given to a key in the ' +
        "schema or as a fallback in code (`process.env.X ?? '…'`) that is insecure: a secret-looking key (…_SECRET, …_TOKEN, " +
        "…_PASSWORD, …_KEY; high), NODE_TLS_REJECT_UNAUTHORIZED '0' (high), DEBUG/VERBOSE on, an SSL/TLS/VERIFY/SECURE switch off, CORS " +
        "'*' (medium).",
      ignores:
        "Empty-string fallbacks (`?? ''`, a type convenience); defaults that were already there; keys that were optional already; " +
        'tests, scripts and configuration files (info).',
      example: {
        file: 'src/env.ts',
        before: [
          "import { z } from 'zod';",
          '',
          'export const env = z',
          '  .object({',
          '    DATABASE_URL: z.string().url(),',
          '    SESSION_SECRET: z.string().min(32),',
          "    LOG_LEVEL: z.enum(['debug', 'info', 'warn']).default('info'),",
          '  })',
          '  .parse(process.env);',
          '',
        ].join('\n'),
        after: [
          "import { z } from 'zod';",
          '',
          'export const env = z',
          '  .object({',
          '    DATABASE_URL: z.string().url(),',
          "    SESSION_SECRET: z.string().min(32).default('local-development-session-secret-000'),",
          "    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),",
          '  })',
          '  .parse(process.env);',
          '',
        ].join('\n'),
      },
    },
  },
  analyze(change) {
    if (change.head === undefined || change.base === undefined || /\.d\.ts$/.test(change.path)) return [];
    const basePath = change.oldPath ?? change.path;
    const quietFile = isTestCode(change.path, change.config.tests.patterns) || isToolingPath(change.path);
    const weigh = (severity: Severity): Severity => (quietFile ? 'info' : severity);
    const out: AnalyzerFinding[] = [];
    const before = envSchema(basePath, change.base);
    const after = envSchema(change.path, change.head);
    for (const [key, entry] of after) {
      const old = before.get(key);
      if (!old) continue;
      const why = entry.literal !== undefined && old.literal === undefined ? insecureDefault(key, entry.literal) : undefined;
      if (why) {
        out.push({
          messageId: 'insecure-default',
          data: { key, value: `'${entry.literal}'`, why },
          side: 'head',
          line: entry.line,
          key: `schema ${key}`,
          symbol: key,
          severity: weigh(secretish(why) ? 'high' : 'medium'),
        });
      } else if (old.required && !entry.required) {
        out.push({
          messageId: 'made-optional',
          data: { key, also: entry.literal !== undefined ? ` (default '${entry.literal}')` : '' },
          side: 'head',
          line: entry.line,
          key: `schema ${key}`,
          symbol: key,
          severity: weigh('medium'),
        });
      }
    }
    // Fallbacks in code: `process.env.X ?? 'literal'` where the base read X without that literal.
    const baseLiterals = new Map<string, Set<string | undefined>>();
    for (const read of envReads(basePath, change.base))
      baseLiterals.set(read.key, new Set([...(baseLiterals.get(read.key) ?? []), read.literal]));
    const reported = new Set(out.map((f) => f.symbol));
    for (const read of envReads(change.path, change.head)) {
      if (read.literal === undefined || reported.has(read.key) || baseLiterals.get(read.key)?.has(read.literal)) continue;
      const why = insecureDefault(read.key, read.literal);
      if (!why) continue;
      reported.add(read.key);
      out.push({
        messageId: 'insecure-default',
        data: { key: read.key, value: `'${read.literal}'`, why },
        side: 'head',
        line: read.line,
        key: `fallback ${read.key}`,
        symbol: read.key,
        severity: weigh(secretish(why) ? 'high' : 'medium'),
      });
    }
    return out;
  },
});

const secretish = (why: string): boolean => /secret|TLS certificate/.test(why);
