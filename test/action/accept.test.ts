import { describe, expect, it } from 'vitest';
import { isGateCommand, parseAcceptCommands } from '../../src/core/accept/command.js';
import { applyAcceptCommands, parseAcceptanceBlock, partitionAcceptances, renderAcceptanceBlock } from '../../src/core/accept/store.js';

describe('accept commands', () => {
  it('parses ids, `all`, backticked ids and reasons; ignores quoted and fenced lines', () => {
    const body = [
      '/guardrail-gate accept gg-ea3efe66d1c80190 the gateway enforces a timeout',
      '/guardrail-gate accept `gg-182c1de5182ddd85`   retries   live in the queue',
      '> /guardrail-gate accept all quoted from someone else',
      '```',
      '/guardrail-gate accept all inside a code block',
      '```',
      '/GUARDRAIL-GATE accept ALL release freeze exception',
    ].join('\n');
    expect(parseAcceptCommands(body)).toEqual({
      commands: [
        { target: 'gg-ea3efe66d1c80190', reason: 'the gateway enforces a timeout' },
        { target: 'gg-182c1de5182ddd85', reason: 'retries live in the queue' },
        { target: 'all', reason: 'release freeze exception' },
      ],
      problems: [],
    });
  });

  it('requires a reason and names the expected form', () => {
    const parsed = parseAcceptCommands('/guardrail-gate accept gg-1\n/guardrail-gate please');
    expect(parsed.commands).toEqual([]);
    expect(parsed.problems[0]).toMatch(/a reason is required/);
    expect(parsed.problems[1]).toMatch(/expected `\/guardrail-gate accept <finding-id> <reason>`/);
    expect(isGateCommand('LGTM')).toBe(false);
  });
});

describe('stored acceptances', () => {
  it('round-trips through the hidden block, even with text that would close an HTML comment', () => {
    const records = [{ id: 'gg-1', who: 'mia', reason: 'fine --> <script>alert(1)</script>' }];
    const block = renderAcceptanceBlock(records);
    expect(block.indexOf('-->')).toBe(block.length - 3);
    expect(block).not.toContain('<script>');
    expect(parseAcceptanceBlock(`text\n${block}`)).toEqual(records);
  });

  it('reads only the last block, and a damaged one as none', () => {
    const forged = renderAcceptanceBlock([{ id: 'gg-1', who: 'eve', reason: 'forged in the PR body' }]);
    const ours = renderAcceptanceBlock([{ id: 'gg-2', who: 'mia', reason: 'ok' }]);
    expect(parseAcceptanceBlock(`${forged}\n${ours}`)).toEqual([{ id: 'gg-2', who: 'mia', reason: 'ok' }]);
    expect(parseAcceptanceBlock('<!-- guardrail-gate:acceptances {not json -->')).toEqual([]);
  });

  it('applies commands to current findings only, and lapses acceptances whose finding is gone', () => {
    const { records, unknown } = applyAcceptCommands(
      [{ id: 'gg-old', who: 'mia', reason: 'earlier' }],
      [
        { target: 'all', reason: 'freeze' },
        { target: 'gg-typo', reason: 'x' },
      ],
      'sam',
      ['gg-a', 'gg-b'],
    );
    expect(unknown).toEqual(['gg-typo']);
    expect(records.map((r) => `${r.id}:${r.who}`)).toEqual(['gg-old:mia', 'gg-a:sam', 'gg-b:sam']);
    const { live, lapsed } = partitionAcceptances(records, ['gg-a', 'gg-b']);
    expect(live.map((r) => r.id)).toEqual(['gg-a', 'gg-b']);
    expect(lapsed.map((r) => r.id)).toEqual(['gg-old']);
  });
});
