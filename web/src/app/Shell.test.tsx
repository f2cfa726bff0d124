import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
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
});
