import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../lib/api/types';
import { message, renderPage } from '../../../test/utils';
import { MessageItem } from './MessageItem';

function media(overrides: Record<string, unknown> = {}) {
  return {
    status: 'ready',
    mime_type: 'image/jpeg',
    bytes: 34_500,
    url: 'https://parley.example/api/media/m1?exp=1&sig=a',
    thumbnail_url: 'https://parley.example/api/media/m1/thumbnail?exp=1&sig=b',
    transcript: null,
    ocr_text: null,
    error: null,
    ...overrides,
  };
}

function show(overrides: Record<string, unknown>, language = 'en') {
  const item = message(7, { text: '', ...overrides }) as unknown as Message;
  renderPage(<MessageItem message={item} trace={undefined} />, { language });
}

describe('a message with media', () => {
  it('shows a photo as its thumbnail, opening the full image, with the caption and the text read from it', () => {
    show({ type: 'image', text: 'My order', media: media({ ocr_text: 'ORDER #4417' }) });
    const link = screen.getByRole('link', { name: 'Image (34.5 kB), opens in a new tab' });
    expect(link).toHaveAttribute('href', 'https://parley.example/api/media/m1?exp=1&sig=a');
    expect(screen.getByRole('img', { name: 'Image' })).toHaveAttribute(
      'src',
      'https://parley.example/api/media/m1/thumbnail?exp=1&sig=b',
    );
    expect(screen.getByText('My order')).toBeInTheDocument();
    expect(screen.getByText('ORDER #4417')).toBeInTheDocument();
    expect(screen.queryByText(/not shown/)).not.toBeInTheDocument();
  });

  it('plays a voice note and shows what was said', () => {
    show({
      type: 'audio',
      media: media({ mime_type: 'audio/ogg', bytes: 9_000, thumbnail_url: null, transcript: 'Is the shop open today?' }),
    });
    const player = screen.getByLabelText('Voice message');
    expect(player.tagName).toBe('AUDIO');
    expect(player).toHaveAttribute('src', 'https://parley.example/api/media/m1?exp=1&sig=a');
    expect(screen.getByText('Is the shop open today?')).toBeInTheDocument();
  });

  it('offers a document for download under its own name and size, with the text read from it', () => {
    show({
      type: 'document',
      media: media({
        mime_type: 'application/pdf',
        bytes: 2_400_000,
        thumbnail_url: null,
        filename: 'invoice.pdf',
        ocr_text: 'Invoice 2291',
      }),
    });
    const link = screen.getByRole('link', { name: 'Download invoice.pdf (2.4 MB)' });
    expect(link).toHaveAttribute('download', 'invoice.pdf');
    expect(screen.getByText('Text in the document:')).toBeInTheDocument();
    expect(screen.getByText('Invoice 2291')).toBeInTheDocument();
  });

  it('says that a file is still being fetched, or why it could not be', () => {
    show({ type: 'image', media: media({ status: 'pending', url: null, thumbnail_url: null, bytes: null }) });
    expect(screen.getByText('Image: being fetched…')).toBeInTheDocument();
    expect(screen.queryByRole('img')).not.toBeInTheDocument();
  });

  it('says why a refused file is not shown, in the reader’s language', () => {
    show({ type: 'video', media: media({ status: 'refused', url: null, error: 'larger than 16 MB' }) }, 'fr');
    expect(screen.getByText('Vidéo : impossible à récupérer (larger than 16 MB)')).toBeInTheDocument();
  });

  it('shows an Instagram photo through the platform’s link while it is read, and after it could not be', () => {
    const cdn = 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1&signature=x';
    show({ type: 'image', media: media({ status: 'pending', url: cdn, thumbnail_url: null, bytes: null }) });
    expect(screen.getByRole('link', { name: 'Image, opens in a new tab' })).toHaveAttribute('href', cdn);
    expect(screen.getByRole('img', { name: 'Image' })).toHaveAttribute('src', cdn);
    expect(screen.queryByText(/being fetched/)).not.toBeInTheDocument();
  });

  it('says why Parley could not read a file it shows by the platform’s link', () => {
    const cdn = 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2&signature=y';
    const error = 'the platform’s link to this media no longer works';
    show({ type: 'document', media: media({ status: 'failed', url: cdn, thumbnail_url: null, bytes: null, error }) });
    expect(screen.getByRole('link', { name: 'Download Document' })).toHaveAttribute('href', cdn);
    expect(screen.getByText(`Parley could not read it (${error})`)).toBeInTheDocument();
  });

  it('still names a kind of message Parley holds no file for', () => {
    show({ type: 'location' });
    expect(screen.getByText('Location (not shown)')).toBeInTheDocument();
  });
});
