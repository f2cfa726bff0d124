import { afterEach, describe, expect, it } from 'vitest';
import { fakeApi } from '../../test/utils';
import { ApiError, api, buildUrl, setCsrfToken } from './client';

describe('api client', () => {
  afterEach(() => setCsrfToken(null));

  it('sends the CSRF token on requests that change something, not on reads', async () => {
    const { calls, fetchMock } = fakeApi({ 'GET /api/users': { data: [] }, 'POST /api/conversations/3/close': { id: 3 } });
    setCsrfToken('token-1');
    await api.get('/api/users');
    await api.post('/api/conversations/{id}/close', { path: { id: 3 } });
    expect(calls[0]!.headers['X-CSRF-Token']).toBeUndefined();
    expect(calls[1]!.headers['X-CSRF-Token']).toBe('token-1');
    expect(fetchMock.mock.calls[1]![1]).toMatchObject({ credentials: 'same-origin', method: 'POST' });
  });

  it('turns the API error shape into an ApiError', async () => {
    fakeApi({
      'GET /api/conversations/9': { status: 404, body: { error: { code: 'not_found', message: 'no such conversation' } } },
    });
    const error = await api.get('/api/conversations/{id}', { path: { id: 9 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: 'not_found', message: 'no such conversation' });
  });

  it('fills path parameters and leaves empty query values out', () => {
    expect(buildUrl('/api/conversations/{id}/messages', { id: 12 }, { cursor: null, limit: 50, q: '' })).toBe(
      '/api/conversations/12/messages?limit=50',
    );
  });
});
