/**
 * The commands of a shell script (a workflow `run:`, a Dockerfile `RUN`, a package.json script), split at
 * `&&`, `||`, `;`, `|` and newlines, with line continuations joined. Not a shell parser: enough to name
 * the commands a script runs and how their failures are handled, which is all the analyzers ask.
 */
export interface ShellCommand {
  /** Words of the command, quotes removed, environment assignments (`CI=1`) dropped. */
  words: string[];
  /** The text as written. */
  text: string;
  /** 0-based line within the script. */
  line: number;
  /** The operator that follows (`||` masks the command's failure when what follows always succeeds). */
  next?: '&&' | '||' | ';' | '|';
}

export function splitCommands(script: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  const physical = script.split(/\r?\n/);
  for (let index = 0; index < physical.length; index++) {
    const lineIndex = index;
    let line = stripComment(physical[index]!);
    while (/\\\s*$/.test(line) && index + 1 < physical.length) line = `${line.replace(/\\\s*$/, ' ')}${stripComment(physical[++index]!)}`;
    let start = 0;
    let quote: string | undefined;
    const push = (end: number, next?: ShellCommand['next']): void => {
      const text = line.slice(start, end).trim();
      if (text) commands.push({ words: wordsOf(text), text, line: lineIndex, ...(next ? { next } : {}) });
    };
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (c === quote) quote = undefined;
        else if (c === '\\' && quote === '"') i++;
        continue;
      }
      if (c === '"' || c === "'") quote = c;
      else if (c === '\\') i++;
      else if ((c === '&' || c === '|') && line[i + 1] === c) {
        push(i, c === '&' ? '&&' : '||');
        i++;
        start = i + 1;
      } else if (c === ';' || c === '|') {
        push(i, c === ';' ? ';' : '|');
        start = i + 1;
      }
    }
    push(line.length);
  }
  return commands;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]!);
  while (words.length > 1 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) words.shift();
  if (words[0] === 'sudo' || words[0] === 'time' || words[0] === 'exec') words.shift();
  return words;
}

/** Commands that always succeed: after `||` they mask the failure of what precedes them. */
export function alwaysSucceeds(command: ShellCommand | undefined): boolean {
  if (!command) return false;
  const [first, second] = command.words;
  return first === 'true' || first === ':' || (first === 'exit' && (second ?? '0') === '0') || first === 'echo' || first === 'printf';
}

/** The package-manager call a command makes, if any: `npm run lint` → { manager: 'npm', verb: 'run', args: ['lint'] }. */
const VALUE_FLAGS = new Set([
  '--filter',
  '-F',
  '--prefix',
  '-C',
  '--dir',
  '--cwd',
  '-w',
  '--workspace',
  '--network-timeout',
  '--mutex',
  '--registry',
  '--cache-folder',
  '--modules-folder',
  '--loglevel',
  '--omit',
  '--include',
  '--store-dir',
  '--reporter',
]);

export interface PackageManagerCall {
  manager: 'npm' | 'yarn' | 'pnpm' | 'bun' | 'npx';
  verb: string;
  args: string[];
  flags: string[];
}

export function packageManagerCall(command: ShellCommand): PackageManagerCall | undefined {
  const [tool, ...rest] = command.words;
  if (tool !== 'npm' && tool !== 'yarn' && tool !== 'pnpm' && tool !== 'bun' && tool !== 'npx' && tool !== 'corepack') return undefined;
  const words = tool === 'corepack' ? rest : command.words;
  const manager = words[0] as PackageManagerCall['manager'];
  if (!['npm', 'yarn', 'pnpm', 'bun', 'npx'].includes(manager)) return undefined;
  const flags: string[] = [];
  const positional: string[] = [];
  const rest2 = words.slice(1);
  for (let i = 0; i < rest2.length; i++) {
    const word = rest2[i]!;
    if (word.startsWith('-')) {
      flags.push(word);
      // Flags that take a value (`--filter app`, `--prefix dir`) must not hide the verb.
      if (VALUE_FLAGS.has(word) && i + 1 < rest2.length) i++;
    } else positional.push(word);
  }
  let verb = manager === 'npx' ? 'exec' : (positional[0] ?? (manager === 'yarn' ? 'install' : ''));
  let args = manager === 'npx' ? positional : positional.slice(1);
  if (manager === 'yarn' && verb === 'workspace' && args.length >= 2) {
    verb = args[1]!;
    args = args.slice(2);
  }
  return { manager, verb, args, flags };
}
