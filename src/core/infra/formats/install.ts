import { dockerfileParser } from './parsers.js';
import { packageManagerCall, splitCommands } from './shell.js';

/**
 * Package installs, frozen or not, in workflow `run:` scripts and Dockerfile `RUN` instructions: the one
 * vocabulary of "does this install honour the lockfile".
 */
export interface Install {
  manager: 'npm' | 'yarn' | 'pnpm' | 'bun';
  frozen: boolean;
  text: string;
  /** 0-based line within the script it came from. */
  line: number;
}

const INSTALL_VERBS: Record<string, Set<string>> = {
  npm: new Set(['install', 'i', 'isntall', 'add', 'ci', 'clean-install', 'install-clean', 'ic']),
  yarn: new Set(['install']),
  pnpm: new Set(['install', 'i']),
  bun: new Set(['install', 'i']),
};

/** The installs a shell script runs (`npm install <pkg>` adds a package: not an install of the lockfile). */
export function installsOf(script: string): Install[] {
  const out: Install[] = [];
  for (const command of splitCommands(script)) {
    const call = packageManagerCall(command);
    if (!call || call.manager === 'npx') continue;
    const manager = call.manager;
    const bareYarn =
      manager === 'yarn' && command.words.length >= 1 && (call.verb === 'install' || (call.args.length === 0 && call.verb === 'install'));
    if (!INSTALL_VERBS[manager]!.has(call.verb) && !bareYarn) continue;
    if (call.args.length > 0 && !['ci', 'clean-install', 'install-clean', 'ic'].includes(call.verb)) continue; // adding named packages
    const flags = new Set(call.flags.map((f) => f.split('=')[0]));
    const frozen =
      manager === 'npm'
        ? ['ci', 'clean-install', 'install-clean', 'ic'].includes(call.verb)
        : flags.has('--frozen-lockfile') ||
          flags.has('--immutable') ||
          (manager === 'pnpm' && call.flags.includes('--frozen-lockfile=true'));
    out.push({ manager, frozen, text: command.text, line: command.line });
  }
  return out;
}

/** `RUN` instructions of a Dockerfile with their stage and line (1-based), continuation lines joined. */
export function dockerRuns(text: string): { stage: string; line: number; script: string }[] {
  const dockerfile = dockerfileParser().parse(text);
  const froms = dockerfile
    .getFROMs()
    .map((from, index) => ({ line: from.getRange().start.line, stage: from.getBuildStage() ?? `#${index}` }));
  const runs: { stage: string; line: number; script: string }[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() !== 'RUN') continue;
    const line = instruction.getRange().start.line;
    const stage = [...froms].reverse().find((f) => f.line <= line)?.stage ?? '#0';
    runs.push({ stage, line: line + 1, script: instruction.getArgumentsContent() ?? '' });
  }
  return runs;
}

export function isDockerfilePath(path: string): boolean {
  const name = path.split('/').pop()!.toLowerCase();
  return name === 'dockerfile' || name.startsWith('dockerfile.') || name.endsWith('.dockerfile') || name === 'containerfile';
}
