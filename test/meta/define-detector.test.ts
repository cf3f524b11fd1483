import { describe, expect, it } from 'vitest';
import { defineDetector, type DetectorMeta } from '../../src/core/detect/define-detector.js';
import { DETECTORS } from '../../src/core/detect/registry.js';

// The compiler checks what detectors may declare (npm test runs tsc over test/ first): each
// `@ts-expect-error` below must be an error, or tsc fails on the unused directive.
const meta = <MessageId extends string>(messages: Record<MessageId, string>): DetectorMeta<MessageId> => ({
  id: 'example',
  category: 'timeout',
  severity: 'medium',
  description: 'An example.',
  messages,
  docs: { catches: '', ignores: '', example: { before: '', after: '' } },
});
const node = undefined as never;

describe('defineDetector', () => {
  it('checks message ids and the inventory messages at compile time', () => {
    const direct = defineDetector({
      meta: meta({ added: '{{symbol}} adds it.' }),
      inspect: () => [{ messageId: 'added', node, side: 'head', key: 'k' }],
    });
    defineDetector({
      meta: meta({ added: '{{symbol}} adds it.' }),
      // @ts-expect-error -- 'adde' is not one of the detector's messages
      inspect: () => [{ messageId: 'adde', node, side: 'head', key: 'k' }],
    });
    defineDetector({
      meta: meta({ removed: '', weakened: '' }),
      // @ts-expect-error -- an inventory detector must define removed, weakened and moved
      inventory: () => [],
    });
    const inventory = defineDetector({ meta: meta({ removed: '', weakened: '', moved: '', extra: '' }), inventory: () => [] });
    expect([direct.meta.messages.added, inventory.meta.messages.extra]).toEqual(['{{symbol}} adds it.', '']);
  });

  it('every registered inventory detector defines the three inventory messages', () => {
    for (const detector of DETECTORS.filter((d) => d.inventory)) {
      expect(Object.keys(detector.meta.messages), detector.meta.id).toEqual(expect.arrayContaining(['removed', 'weakened', 'moved']));
    }
  });
});
