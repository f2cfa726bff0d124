import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../../lib/api/types';
import { fakeApi, message, renderPage } from '../../../test/utils';
import { MessageItem } from './MessageItem';

function show(overrides: Record<string, unknown>, language = 'en') {
  const item = message(7, {
    type: 'comment',
    text: 'How much is shipping?',
    platform_message_id: '17865799348089039',
    comment: { media_id: '17887498072083520' },
    ...overrides,
  }) as unknown as Message;
  renderPage(<MessageItem message={item} trace={undefined} />, { language });
}

afterEach(() => vi.unstubAllGlobals());

describe('a customer comment', () => {
  it('is hidden from the thread with the Hide comment button', async () => {
    const { calls } = fakeApi({ 'POST /api/conversations/1/messages/7/hide': message(7, { type: 'comment' }) });
    show({});
    fireEvent.click(screen.getByRole('button', { name: 'Hide comment' }));
    await waitFor(() => expect(calls.map((c) => `${c.method} ${c.path}`)).toContain('POST /api/conversations/1/messages/7/hide'));
  });

  it('is shown again once hidden, and deleted after confirming', async () => {
    const { calls } = fakeApi({
      'POST /api/conversations/1/messages/7/unhide': message(7, { type: 'comment' }),
      'DELETE /api/conversations/1/messages/7': message(7, { type: 'comment', status: 'deleted' }),
    });
    vi.stubGlobal('confirm', () => true);
    show({ comment: { media_id: '17887498072083520', hidden: true } });
    expect(screen.getByText('Hidden from everyone but its author')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Show comment' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete comment' }));
    await waitFor(() =>
      expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
        'POST /api/conversations/1/messages/7/unhide',
        'DELETE /api/conversations/1/messages/7',
      ]),
    );
  });

  it('offers nothing once deleted, and speaks French', () => {
    fakeApi({});
    show({ status: 'deleted' }, 'fr');
    expect(screen.getByText('Commentaire supprimé')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Supprimer le commentaire' })).not.toBeInTheDocument();
  });

  it('is not offered on a direct message', () => {
    fakeApi({});
    show({ type: 'text', comment: undefined });
    expect(screen.queryByRole('button', { name: 'Hide comment' })).not.toBeInTheDocument();
  });
});
