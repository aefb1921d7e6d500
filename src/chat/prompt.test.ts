import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../store/chat-types.js';
import { buildPrompt } from './prompt.js';

let id = 0;
const m = (role: ChatMessage['role'], text: string, state: ChatMessage['state'] = 'complete'): ChatMessage => ({ id: ++id, role, author: null, text, createdAt: 0, model: null, usage: null, runId: null, state, reason: null });

describe('buildPrompt', () => {
  it('puts the system prompt first and the conversation in order, the new message last', () => {
    expect(buildPrompt([m('user', 'a'), m('assistant', 'b'), m('user', 'c')], 40, 'sys')).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' },
    ]);
  });

  it('leaves out streaming and empty answers, keeps answers cut short with their text', () => {
    expect(buildPrompt([m('user', 'a'), m('assistant', '', 'error'), m('assistant', 'half', 'incomplete'), m('assistant', 'x', 'streaming'), m('user', 'c')], 40)).toEqual([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'half' },
      { role: 'user', content: 'c' },
    ]);
  });

  it('keeps at most `earlier` messages before the new one (0: only the new one)', () => {
    const h = [m('user', '1'), m('assistant', '2'), m('user', '3'), m('assistant', '4'), m('user', '5')];
    expect(buildPrompt(h, 2).map((p) => p.content)).toEqual(['3', '4', '5']);
    expect(buildPrompt(h, 0).map((p) => p.content)).toEqual(['5']);
  });
});
