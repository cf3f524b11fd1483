/** One `/guardrail-gate accept ...` line of a PR comment. */
export interface AcceptCommand {
  /** A finding id, or `all` for every finding of the current report. */
  target: string | 'all';
  reason: string;
}

/** What a comment asked for: the accept commands it holds and the lines that looked like commands but were not. */
export interface ParsedComment {
  commands: AcceptCommand[];
  problems: string[];
}

const COMMAND_PREFIX = /^\s*\/guardrail-gate\b/i;
const ACCEPT = /^\s*\/guardrail-gate\s+accept\s+`?([A-Za-z0-9][\w:./-]*)`?\s*(.*)$/i;
const MAX_REASON_CHARS = 500;

/** True when the comment holds at least one line addressed to guardrail-gate. */
export function isGateCommand(body: string): boolean {
  return body.split('\n').some((line) => COMMAND_PREFIX.test(line));
}

/**
 * Parses `/guardrail-gate accept <finding-id|all> <reason>` lines. A reason is required: an acceptance
 * without one tells the next reader nothing. Lines inside fenced code blocks or quotes are ignored, so
 * quoting someone's command does not repeat it.
 */
export function parseAcceptCommands(body: string): ParsedComment {
  const commands: AcceptCommand[] = [];
  const problems: string[] = [];
  let inFence = false;
  for (const line of body.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence || /^\s*>/.test(line) || !COMMAND_PREFIX.test(line)) continue;
    const match = ACCEPT.exec(line);
    if (!match) {
      problems.push('expected `/guardrail-gate accept <finding-id> <reason>` or `/guardrail-gate accept all <reason>`');
      continue;
    }
    const target = match[1]!.toLowerCase() === 'all' ? 'all' : match[1]!;
    const reason = match[2]!.trim().replace(/\s+/g, ' ').slice(0, MAX_REASON_CHARS);
    if (!reason) {
      problems.push(`a reason is required: \`/guardrail-gate accept ${target} <why this is fine>\``);
      continue;
    }
    commands.push({ target, reason });
  }
  return { commands, problems };
}
