import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, renderPage } from '../../../test/utils';
import { KnowledgePage } from './KnowledgePage';

const document = (id: number, name: string, status = 'ready') => ({
  id,
  knowledge_base_id: 1,
  name,
  status,
  progress: status === 'ready' ? 1 : 0.4,
  error: null,
  chunks: 6,
  updated_at: '2026-12-06T10:00:00.000Z',
});

describe('KnowledgePage', () => {
  it('lists documents with their status and uploads several files, one request each', async () => {
    const { calls } = fakeApi({
      'GET /api/knowledge-documents': { data: [document(1, 'prices.md'), document(2, 'hours.pdf', 'embedding')], next_cursor: null },
      'POST /api/knowledge-documents': { status: 202, body: { id: 3 } },
    });
    renderPage(<KnowledgePage />);
    const table = await screen.findByRole('table');
    expect(within(table).getByRole('rowheader', { name: 'prices.md' })).toBeInTheDocument();
    expect(within(table).getByText('embedding 40%')).toBeInTheDocument();

    const files = [new File(['a'], 'a.md', { type: 'text/markdown' }), new File(['b'], 'b.txt', { type: 'text/plain' })];
    await userEvent.upload(screen.getByLabelText('Upload files'), files);
    await waitFor(() => expect(calls.filter((call) => call.method === 'POST')).toHaveLength(2));
    const names = calls.filter((call) => call.method === 'POST').map((call) => ((call.body as FormData).get('file') as File).name);
    expect(names).toEqual(['a.md', 'b.txt']);
    expect(await screen.findByText('2 file(s) uploaded.')).toBeInTheDocument();
  });

  it('shows what a ready document left out as a note, and why a failed one failed as an error', async () => {
    const note = 'scanned pages 21–40 were not read: OCR reads at most 20 per document';
    fakeApi({
      'GET /api/knowledge-documents': {
        data: [
          { ...document(1, 'scans.pdf'), error: note },
          { ...document(2, 'photo.jpg', 'failed'), error: 'no text was found in the image', chunks: null },
        ],
        next_cursor: null,
      },
    });
    renderPage(<KnowledgePage />);
    expect(await screen.findByText(note)).toHaveClass('muted');
    expect(screen.getByText('no text was found in the image')).toHaveClass('error-text');
  });

  it('deletes a document after confirmation', async () => {
    const { calls } = fakeApi({
      'GET /api/knowledge-documents': { data: [document(1, 'prices.md')], next_cursor: null },
      'DELETE /api/knowledge-documents/1': { deleted: true },
    });
    renderPage(<KnowledgePage />);
    await userEvent.click(await screen.findByRole('button', { name: 'Delete prices.md' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE')).toBe(true));
  });
});
