import { describe, expect, it } from 'vitest';
import { html } from 'lit';
import { tabFor, type TabDeclaration } from './tabs.js';

const TABS: TabDeclaration[] = [
  { id: 'chat', label: 'Chat', needs: 'operator.read', render: () => html`chat` },
  { id: 'settings', label: 'Settings', needs: 'operator.admin', render: () => html`settings` },
  { id: 'about', label: 'About', needs: null, render: () => html`about` },
];

describe('tabFor', () => {
  const readOnly = (needs: string | null) => needs === null || needs === 'operator.read';
  it('picks the tab the fragment names when the scopes allow it', () => {
    expect(tabFor('#chat', readOnly, TABS)?.id).toBe('chat');
    expect(tabFor('#about', () => false, TABS)?.id).toBe(undefined);
    expect(tabFor('#about', readOnly, TABS)?.id).toBe('about');
  });
  it('falls back to the overview for a tab the scopes do not allow, an unknown one or none', () => {
    expect(tabFor('#settings', readOnly, TABS)).toBeUndefined();
    expect(tabFor('#nope', readOnly, TABS)).toBeUndefined();
    expect(tabFor('', readOnly, TABS)).toBeUndefined();
  });
});
