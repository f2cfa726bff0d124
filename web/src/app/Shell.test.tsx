import { act, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeApi, me, renderPage } from '../test/utils';
import { Shell } from './Shell';

describe('Shell', () => {
  it('has the eight navigation links', async () => {
    fakeApi({ 'GET /api/auth/me': me });
    renderPage(<Shell />, { route: '/inbox' });
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getAllByRole('link').map((link) => link.textContent)).toEqual([
      'Inbox', 'Contacts', 'Knowledge', 'AI studio', 'Channels', 'Analytics', 'Billing', 'Team',
    ]);
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  });

  it('names them from the French catalog in French', async () => {
    fakeApi({ 'GET /api/auth/me': me });
    renderPage(<Shell />, { route: '/inbox', language: 'fr' });
    const nav = await screen.findByRole('navigation', { name: 'Navigation principale' });
    expect(within(nav).getAllByRole('link').map((link) => link.textContent)).toEqual([
      'Boîte de réception', 'Contacts', 'Connaissances', 'Studio IA', 'Canaux', 'Statistiques', 'Facturation', 'Équipe',
    ]);
    expect(screen.getByRole('button', { name: 'Se déconnecter' })).toBeInTheDocument();
  });

  it('shows a new escalation from the live stream, and says when the stream is live', async () => {
    const sources: FakeEventSource[] = [];
    class FakeEventSource {
      static readonly CLOSED = 2;
      readyState = 1;
      onopen: (() => void) | null = null;
      onmessage: ((event: MessageEvent<string>) => void) | null = null;
      onerror: (() => void) | null = null;
      constructor(readonly url: string) {
        sources.push(this);
      }
      close() {}
    }
    vi.stubGlobal('EventSource', FakeEventSource);
    fakeApi({ 'GET /api/auth/me': me });
    renderPage(<Shell />, { route: '/inbox' });
    await screen.findByRole('navigation', { name: 'Main navigation' });
    expect(sources[0]!.url).toBe('/api/events');
    act(() => sources[0]!.onopen?.());
    expect(screen.getByText('Live')).toBeInTheDocument();
    const data = { id: 4, conversation_id: 12, reason: 'human_requested', priority: 'normal', status: 'open', draft: null };
    act(() =>
      sources[0]!.onmessage?.(
        new MessageEvent('message', { data: JSON.stringify({ id: 41, type: 'support.opened', created_at: '', data }), lastEventId: '41' }),
      ),
    );
    expect(screen.getByText('A customer is waiting for a person (asked for a person).')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Open the conversation' })).toHaveAttribute('href', '/inbox/12');
    vi.unstubAllGlobals();
  });
});
