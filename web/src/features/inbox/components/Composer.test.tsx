import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../../lib/events/cache';
import type { LiveEvent } from '../../../lib/events/events';
import { conversation, fakeApi, me, message, renderPage, testQueryClient } from '../../../test/utils';
import { InboxPage } from './InboxPage';

const platforms = {
  data: [
    { name: 'whatsapp', traits: { free_form_window_hours: 24, templates: true, media_replies: 'upload' } },
    { name: 'webchat', traits: { free_form_window_hours: null, templates: false, media_replies: 'none' } },
  ],
};

function threadApi(platform: string, beforeAnswer: (answer: ReturnType<typeof sentPhoto>) => void = () => {}) {
  return fakeApi({
    'GET /api/auth/me': me,
    'GET /api/users': { data: [me.user] },
    'GET /api/social-accounts': { data: [] },
    'GET /api/support': { data: [], next_cursor: null },
    'GET /api/platforms': platforms,
    'GET /api/conversations': { data: [conversation(1, { platform })], next_cursor: null },
    'GET /api/conversations/1': conversation(1, { platform }),
    'GET /api/conversations/1/messages': { data: [message(1)], next_cursor: null },
    'GET /api/conversations/1/traces': { data: [] },
    'POST /api/conversations/1/read': { unread_count: 0 },
    'POST /api/conversations/1/messages': (call: { body: unknown }) => {
      const answer = sentPhoto(String((call.body as FormData).get('text') ?? ''));
      beforeAnswer(answer);
      return answer;
    },
  });
}

// The reply as the server answers it; its message.created event carries the same message, with its time.
function sentPhoto(caption: string) {
  return {
    id: 3,
    conversation_id: 1,
    direction: 'out',
    type: 'image',
    text: caption,
    status: 'queued',
    sent_by: 'user:7',
    media: {
      status: 'ready',
      mime_type: 'image/png',
      bytes: 4,
      url: '/api/media/abc?tenant=1&expires=9&sig=00',
      thumbnail_url: '/api/media/abc/thumbnail?tenant=1&expires=9&sig=00',
      transcript: null,
      ocr_text: null,
      error: null,
    },
  };
}

const photo = () => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'receipt.png', { type: 'image/png' });

describe('the composer with a file', () => {
  it('attaches a file, shows its name with a remove button, and sends it with the typed caption', async () => {
    const { calls } = threadApi('whatsapp');
    renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId' });
    await screen.findByRole('button', { name: 'Attach file' });
    await userEvent.upload(screen.getByLabelText('Attach file'), photo());
    expect(screen.getByText('Attached: receipt.png')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Remove receipt.png' }));
    expect(screen.queryByText('Attached: receipt.png')).not.toBeInTheDocument();

    await userEvent.upload(screen.getByLabelText('Attach file'), photo());
    const reply = screen.getByRole('textbox', { name: 'Reply' });
    await userEvent.type(reply, 'Your receipt');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(reply).toHaveValue(''));
    expect(screen.queryByText('Attached: receipt.png')).not.toBeInTheDocument();
    const sent = calls.find((call) => call.method === 'POST' && call.path === '/api/conversations/1/messages');
    const form = sent?.body as FormData;
    expect(form).toBeInstanceOf(FormData);
    expect((form.get('file') as File).name).toBe('receipt.png');
    expect(form.get('text')).toBe('Your receipt');
    // The sent photo shows in the thread as its thumbnail, with its caption.
    const log = screen.getByRole('log', { name: 'Messages' });
    expect(await within(log).findByText('Your receipt')).toBeInTheDocument();
    expect(within(log).getByRole('img', { name: 'Image' })).toHaveAttribute(
      'src',
      '/api/media/abc/thumbnail?tenant=1&expires=9&sig=00',
    );
  });

  // The order that lost the photo in the browser: the event stream told of the reply (and of its send) before the
  // POST's 202 came back, the thread kept the stream's copy, and the answer was dropped as a duplicate. The stream's
  // copy is the message as the thread shows it, its media object included, and its newer status stays.
  it('shows a sent photo with its thumbnail when the live events about it come before the answer', async () => {
    const client = testQueryClient();
    threadApi('whatsapp', (answer) => {
      act(() => {
        applyEvent(client, { id: 20, type: 'message.created', created_at: '', data: { conversation_id: 1, message: { ...answer, created_at: '2026-12-06T10:30:00.000Z' } } } as LiveEvent);
        applyEvent(client, {
          id: 21,
          type: 'message.updated',
          created_at: '',
          data: { conversation_id: 1, message_id: answer.id, status: 'sent', error: null },
        } as LiveEvent);
      });
    });
    renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId', client });
    await screen.findByRole('button', { name: 'Attach file' });
    await userEvent.upload(screen.getByLabelText('Attach file'), photo());
    const reply = screen.getByRole('textbox', { name: 'Reply' });
    await userEvent.type(reply, 'Your receipt');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(reply).toHaveValue(''));
    const log = screen.getByRole('log', { name: 'Messages' });
    expect(within(log).getAllByText('Your receipt')).toHaveLength(1);
    expect(within(log).getByRole('img', { name: 'Image' })).toHaveAttribute(
      'src',
      '/api/media/abc/thumbnail?tenant=1&expires=9&sig=00',
    );
    expect(within(log).getByText('Sent')).toBeInTheDocument();
  });

  it('sends a file without a caption', async () => {
    const { calls } = threadApi('whatsapp');
    renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId' });
    await screen.findByRole('button', { name: 'Attach file' });
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    await userEvent.upload(screen.getByLabelText('Attach file'), photo());
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.queryByText('Attached: receipt.png')).not.toBeInTheDocument());
    const form = calls.find((call) => call.method === 'POST' && call.path === '/api/conversations/1/messages')
      ?.body as FormData;
    expect(form.has('file')).toBe(true);
    expect(form.has('text')).toBe(false);
  });

  it('offers no attachment where the platform takes no files from people', async () => {
    threadApi('webchat');
    renderPage(<InboxPage />, { route: '/inbox/1', path: '/inbox/:conversationId' });
    await screen.findByRole('textbox', { name: 'Reply' });
    await screen.findByRole('log', { name: 'Messages' });
    expect(screen.queryByRole('button', { name: 'Attach file' })).not.toBeInTheDocument();
  });
});
