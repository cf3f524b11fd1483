/** Help texts of the command line; `--help` prints them on stdout and exits 0. */

export const MAIN_HELP = `guardrail-gate: names the guardrails (retries, timeouts, validation, idempotency, ...) a pull request
removes or weakens, and scores the risk.

Usage:
  guardrail-gate analyze [options]   analyze the changes of --base...--head in a git repository
  guardrail-gate analyze --staged    analyze what is staged (or --worktree: the work tree) against HEAD
  guardrail-gate mcp                 serve the analysis to a coding agent (Model Context Protocol, stdio)
  guardrail-gate demo                analyze a built-in example pull request and print the report
  guardrail-gate --help | --version

Run 'guardrail-gate analyze --help' for the options.
Exit status: 0 the gate passes, 1 the gate fails, 2 the run could not be done.
`;

export const ANALYZE_HELP = `Usage: guardrail-gate analyze [options]

Compares every changed function before and after the pull request (what 'git diff BASE...HEAD' shows),
reading both sides from git objects; nothing of the repository is executed. With --staged or --worktree,
the local changes become a temporary commit on top of HEAD (the repository is not written) and get the
findings the gate reports once they are committed.

Options:
  --repo DIR          git work tree to analyze (default: the current directory)
  --base REF          revision the pull request targets (default: the merge base with origin's default
                      branch, else origin/main, origin/master, main, master)
  --head REF          revision of the pull request (default: HEAD)
  --staged            analyze the index against HEAD (what 'git commit' would record) instead of a range
  --worktree          analyze the work tree against HEAD: tracked files as on disk and untracked files
                      that are not ignored (what 'git add -A && git commit' would record)
  --config FILE       configuration file, read from the base commit (default: .github/guardrail-gate.yml)
  --format FORMAT     text (default), markdown (PR comment body), json (the report), sarif (SARIF 2.1.0)
  --output FILE       write the report to FILE instead of stdout
  --fail-on LEVEL     none|low|medium|high|critical: fail when the risk level is at or above it
                      (default: the configuration's fail-on, else high; 'never' means none)
  --hotspots FILE     runtime hotspots (OTLP/v8/istanbul/CSV); repeatable
  --coverage FILE     coverage (lcov, istanbul JSON, v8); repeatable
  --debug             log details to stderr and show stack traces on errors
  -h, --help          show this help

Exit status: 0 the gate passes, 1 the gate fails, 2 the run could not be done (bad flag, bad
configuration, unknown revision, not a repository, internal error).
`;

export const DEMO_HELP = `Usage: guardrail-gate demo [--format text|markdown|json|sarif] [--debug]

Builds a throw-away git repository from the bundled example (a service whose "simplify" pull request
removes a timeout, a retry loop, a body validation and an idempotency key among legitimate edits),
analyzes it and prints the report. Exits 0 when the report was made, whatever its verdict.
`;

export const MCP_HELP = `Usage: guardrail-gate mcp [--repo DIR] [--debug]

Serves the gate to a coding agent as a Model Context Protocol server on stdin/stdout. Tools:
  analyze_change    the guardrails a change removes or weakens (change: worktree (default), staged, or
                    range with base/head), with the score, level and verdict the pull request gate gives
  explain_finding   why one finding's guardrail exists: the rule, the commit that added it when it fixed
                    something, the production traffic and the tests that reach it, what to run

Nothing of the repository is executed. Logs go to stderr. Example client configuration:
  { "mcpServers": { "guardrail-gate": { "command": "npx", "args": ["guardrail-gate", "mcp"] } } }
`;
