import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, me, renderPage } from '../../../test/utils';
import { AddFromUrl } from './AddFromUrl';

const document = (overrides: Record<string, unknown> = {}) => ({
  id: 5,
  knowledge_base_id: 1,
  name: 'https://shop.example.com/faq',
  content_type: 'text/html',
  source_url: 'https://shop.example.com/faq',
  size_bytes: 1200,
  status: 'pending',
  progress: 0,
  error: null,
  chunks: 0,
  qa_pairs: 0,
  version: 1,
  attempts: 0,
  created_at: '2026-12-06T10:00:00.000Z',
  updated_at: '2026-12-06T10:00:00.000Z',
  replaced: false,
  ...overrides,
});

describe('AddFromUrl', () => {
  it('adds a page by its URL and says when it replaced the previous version', async () => {
    let version = 0;
    const { calls } = fakeApi({
      'GET /api/auth/me': me,
      'POST /api/knowledge-documents': () => {
        version += 1;
        return { status: 202, body: document({ version, replaced: version > 1 }) };
      },
    });
    renderPage(<AddFromUrl />);
    const field = screen.getByRole('textbox', { name: 'Page URL' });
    await userEvent.click(field);
    await userEvent.paste('https://shop.example.com/faq');
    await userEvent.click(screen.getByRole('button', { name: 'Add page' }));
    expect(await screen.findByRole('status')).toHaveTextContent('https://shop.example.com/faq added: it is being read.');
    expect(calls.find((call) => call.method === 'POST')!.body).toEqual({ url: 'https://shop.example.com/faq', knowledge_base: 'default' });
    expect(field).toHaveValue('');

    await userEvent.click(field);
    await userEvent.paste('https://shop.example.com/faq');
    await userEvent.click(screen.getByRole('button', { name: 'Add page' }));
    await waitFor(() =>
      expect(screen.getByRole('status')).toHaveTextContent('https://shop.example.com/faq fetched again'),
    );
  }, 30_000);

  it('says why a page was refused, in French too', async () => {
    fakeApi({
      'GET /api/auth/me': me,
      'POST /api/knowledge-documents': {
        status: 400,
        body: { error: { code: 'invalid_argument', message: 'url: the page answered 404' } },
      },
    });
    renderPage(<AddFromUrl />, { language: 'fr' });
    await userEvent.click(screen.getByRole('textbox', { name: 'URL de la page' }));
    await userEvent.paste('https://shop.example.com/gone');
    await userEvent.click(screen.getByRole('button', { name: 'Ajouter la page' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Non ajoutée : url: the page answered 404');
  }, 30_000);
});
