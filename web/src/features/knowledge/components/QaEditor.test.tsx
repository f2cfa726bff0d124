import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, me, renderPage } from '../../../test/utils';
import { QaEditor } from './QaEditor';

const pair = (id: number, questions: string[], answer: string, document_id: number | null = null) => ({
  id,
  questions,
  answer,
  document_id,
  created_at: '2026-12-06T10:00:00.000Z',
  updated_at: '2026-12-06T10:00:00.000Z',
});

const pairs = [
  pair(1, ['Where are you located?', 'What is your address?'], '12 rue de la Paix, Lyon.'),
  pair(2, ['Do you sell gift cards?'], 'Yes, from 20 € in the shop.'),
  pair(3, ['Can I pay by card?'], 'Visa and Mastercard; no American Express.', 9),
];

describe('QaEditor', () => {
  it('lists the pairs and finds them by any word of a question or the answer, accents aside', async () => {
    fakeApi({ 'GET /api/auth/me': me, 'GET /api/faq-qa': { data: pairs, next_cursor: null } });
    renderPage(<QaEditor />);
    expect(await screen.findByText('Where are you located?')).toBeInTheDocument();
    expect(screen.getByText('3 of 3')).toBeInTheDocument();
    expect(screen.getByText(/Imported from a CSV file/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('searchbox', { name: 'Search Q&A pairs' }));
    await userEvent.paste('ADRESS');
    expect(screen.getByText('0 of 3')).toBeInTheDocument();
    await userEvent.clear(screen.getByRole('searchbox', { name: 'Search Q&A pairs' }));
    await userEvent.click(screen.getByRole('searchbox', { name: 'Search Q&A pairs' }));
    await userEvent.paste('gift 20 €');
    expect(screen.getByText('1 of 3')).toBeInTheDocument();
    expect(screen.getByText('Do you sell gift cards?')).toBeInTheDocument();
    expect(screen.queryByText('Where are you located?')).not.toBeInTheDocument();
    await userEvent.clear(screen.getByRole('searchbox', { name: 'Search Q&A pairs' }));
    await userEvent.click(screen.getByRole('searchbox', { name: 'Search Q&A pairs' }));
    await userEvent.paste('paix');
    expect(screen.getByText('Where are you located?')).toBeInTheDocument();
  }, 20_000);

  it('reads every page of a long list', async () => {
    const { calls } = fakeApi({
      'GET /api/auth/me': me,
      'GET /api/faq-qa': (call: { query: URLSearchParams }) =>
        call.query.get('cursor') === 'next'
          ? { data: [pairs[1]], next_cursor: null }
          : { data: [pairs[0]], next_cursor: 'next' },
    });
    renderPage(<QaEditor />);
    expect(await screen.findByText('2 of 2')).toBeInTheDocument();
    expect(calls.filter((call) => call.path === '/api/faq-qa')).toHaveLength(2);
  });

  it('adds, edits and deletes a pair', async () => {
    const { calls } = fakeApi({
      'GET /api/auth/me': me,
      'GET /api/faq-qa': { data: pairs, next_cursor: null },
      'POST /api/faq-qa': { status: 201, body: pair(4, ['Are dogs allowed?'], 'Yes, on a lead.') },
      'PUT /api/faq-qa/2': pair(2, ['Do you sell gift cards?'], 'Yes, from 10 €.'),
      'DELETE /api/faq-qa/1': { deleted: true },
    });
    renderPage(<QaEditor />);
    await screen.findByText('Where are you located?');

    await userEvent.click(screen.getByRole('button', { name: 'Add a Q&A pair' }));
    await userEvent.click(screen.getByRole('textbox', { name: 'Questions (one per line)' }));
    await userEvent.paste('Are dogs allowed?\n  Can I bring my dog?\n');
    await userEvent.click(screen.getByRole('textbox', { name: 'Answer' }));
    await userEvent.paste('Yes, on a lead.');
    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'POST')).toBe(true));
    expect(calls.find((call) => call.method === 'POST')!.body).toEqual({
      questions: ['Are dogs allowed?', 'Can I bring my dog?'],
      answer: 'Yes, on a lead.',
    });

    await userEvent.click(await screen.findByRole('button', { name: 'Edit “Do you sell gift cards?”' }));
    const answer = screen.getByRole('textbox', { name: 'Answer' });
    expect(answer).toHaveValue('Yes, from 20 € in the shop.');
    await userEvent.clear(answer);
    await userEvent.paste('Yes, from 10 €.');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'PUT')).toBe(true));
    expect(calls.find((call) => call.method === 'PUT')!.body).toEqual({
      questions: ['Do you sell gift cards?'],
      answer: 'Yes, from 10 €.',
    });

    await userEvent.click(screen.getByRole('button', { name: 'Delete “Where are you located?”' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE' && call.path === '/api/faq-qa/1')).toBe(true));
  }, 20_000);

  it('shows agents the list without the buttons that change it', async () => {
    fakeApi({ 'GET /api/auth/me': { ...me, role: 'agent' }, 'GET /api/faq-qa': { data: pairs, next_cursor: null } });
    renderPage(<QaEditor />);
    await screen.findByText('Where are you located?');
    expect(screen.queryByRole('button', { name: 'Add a Q&A pair' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Edit/ })).not.toBeInTheDocument();
  });
});
