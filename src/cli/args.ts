import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { ConfigurationError } from '../core/errors.js';
import { LEVELS, parseFailOnLevel, type Level } from '../core/model.js';

export const FORMATS = ['text', 'markdown', 'json', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

export interface AnalyzeArgs {
  repo?: string;
  base?: string;
  head?: string;
  /** Analyze the index (`staged`) or the work tree (`worktree`) against HEAD instead of a range. */
  local?: 'staged' | 'worktree';
  config?: string;
  format: Format;
  output?: string;
  failOn?: Level;
  hotspots: string[];
  coverage: string[];
  debug: boolean;
}

export type Command =
  | { kind: 'help'; topic: 'main' | 'analyze' | 'demo' | 'mcp' }
  | { kind: 'mcp'; args: { repo?: string; debug: boolean } }
  | { kind: 'version' }
  | { kind: 'analyze'; args: AnalyzeArgs }
  | { kind: 'demo'; args: { format: Format; debug: boolean } };

const ANALYZE_OPTIONS = {
  repo: { type: 'string' },
  base: { type: 'string' },
  head: { type: 'string' },
  staged: { type: 'boolean' },
  worktree: { type: 'boolean' },
  config: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string' },
  'fail-on': { type: 'string' },
  hotspots: { type: 'string', multiple: true },
  coverage: { type: 'string', multiple: true },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const MCP_OPTIONS = {
  repo: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DEMO_OPTIONS = {
  format: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** True when the arguments ask for stack traces, even if they fail to parse. */
export function wantsDebug(argv: readonly string[]): boolean {
  return argv.includes('--debug');
}

/**
 * Parses the command line strictly (CONTRACT §1). Every mistake is a ConfigurationError whose message says
 * what to fix in one line.
 */
export function parseCommandLine(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined)
    throw new ConfigurationError("missing command: use 'guardrail-gate analyze' or 'guardrail-gate demo' (see --help)");
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help', topic: 'main' };
  if (first === '--version' || first === '-V' || first === 'version') return { kind: 'version' };
  if (first === 'analyze') {
    const values = parse(rest, ANALYZE_OPTIONS, 'analyze');
    if (values.help) return { kind: 'help', topic: 'analyze' };
    const local = parseLocal(values.staged ?? false, values.worktree ?? false, values.base !== undefined || values.head !== undefined);
    return {
      kind: 'analyze',
      args: {
        ...optional('repo', values.repo, '--repo'),
        ...optional('base', values.base, '--base'),
        ...optional('head', values.head, '--head'),
        ...(local ? { local } : {}),
        ...optional('config', values.config, '--config'),
        ...optional('output', values.output, '--output'),
        format: parseFormat(values.format),
        ...(values['fail-on'] !== undefined ? { failOn: parseFailOn(values['fail-on']) } : {}),
        hotspots: values.hotspots ?? [],
        coverage: values.coverage ?? [],
        debug: values.debug ?? false,
      },
    };
  }
  if (first === 'demo') {
    const values = parse(rest, DEMO_OPTIONS, 'demo');
    if (values.help) return { kind: 'help', topic: 'demo' };
    return { kind: 'demo', args: { format: parseFormat(values.format), debug: values.debug ?? false } };
  }
  if (first === 'mcp') {
    const values = parse(rest, MCP_OPTIONS, 'mcp');
    if (values.help) return { kind: 'help', topic: 'mcp' };
    return { kind: 'mcp', args: { ...optional('repo', values.repo, '--repo'), debug: values.debug ?? false } };
  }
  if (first.startsWith('-'))
    throw new ConfigurationError(`unknown option ${first} before the command: use 'guardrail-gate analyze ${first} ...' (see --help)`);
  throw new ConfigurationError(`unknown command '${first}': use 'analyze', 'mcp' or 'demo' (see --help)`);
}

function parse<T extends ParseArgsOptionsConfig>(args: string[], options: T, command: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as {
      [K in keyof T]?: T[K] extends { multiple: true } ? string[] : T[K] extends { type: 'boolean' } ? boolean : string;
    };
  } catch (error) {
    throw new ConfigurationError(describeParseError(error, command));
  }
}

/** Turns node:util's parse errors (long, with advice about '--') into one line naming the flag. */
function describeParseError(error: unknown, command: string): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1];
  const flag = quoted?.split(' ')[0];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag ?? message} for '${command}' (see 'guardrail-gate ${command} --help')`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return message.includes('argument missing') || message.includes('<value>')
        ? `${flag} needs a value (see 'guardrail-gate ${command} --help')`
        : `${flag} does not take a value (see 'guardrail-gate ${command} --help')`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted ? `'${quoted}'` : ''} for '${command}': every option is a --flag (see 'guardrail-gate ${command} --help')`;
    default:
      return message.split('\n')[0] ?? message;
  }
}

function optional<K extends string>(key: K, value: string | undefined, flag: string): Partial<Record<K, string>> {
  if (value === undefined) return {};
  if (value === '') throw new ConfigurationError(`${flag} needs a non-empty value`);
  return { [key]: value } as Record<K, string>;
}

/** --staged and --worktree name the change themselves: each excludes the other and a --base/--head range. */
function parseLocal(staged: boolean, worktree: boolean, range: boolean): 'staged' | 'worktree' | undefined {
  if (staged && worktree)
    throw new ConfigurationError('--staged and --worktree exclude each other: --worktree already includes what is staged');
  const local = staged ? 'staged' : worktree ? 'worktree' : undefined;
  if (local && range)
    throw new ConfigurationError(`--${local} compares against HEAD: drop --base/--head, or drop --${local} to analyze a range`);
  return local;
}

function parseFormat(value: string | undefined): Format {
  if (value === undefined) return 'text';
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new ConfigurationError(`--format: '${value}' is not one of ${FORMATS.join(', ')}`);
}

function parseFailOn(value: string): Level {
  const level = parseFailOnLevel(value);
  if (level !== undefined) return level;
  throw new ConfigurationError(`--fail-on: '${value}' is not one of ${LEVELS.join(', ')} (or never)`);
}
