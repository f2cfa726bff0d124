import { describe, expect, it } from 'vitest';
import { refusedField, toChanges, toDraft } from './draft';

const settings = {
  enabled: true,
  persona: 'You are Léa.',
  answer_language: 'auto',
  language: 'en',
  llm_base_url: 'https://llm.test/v1',
  llm_api_key_set: true,
  model: 'gpt-test',
  embeddings_base_url: '',
  embeddings_api_key_set: false,
  embeddings_model: '',
  temperature: 0.2,
  max_tokens: 400,
  min_relevance: 0,
  top_k: 5,
  history_turns: 10,
  batch_window_ms: 2000,
  messages: { fr: { greeting: 'Bienvenue !' } },
  triage: { answer_greetings: true, try_to_answer: ['legal' as const] },
  business_hours: { enabled: false, weekly: { monday: [{ open: '09:00', close: '17:00' }] }, closed_dates: [] },
};

describe('the settings form state', () => {
  it('sends back what it read, keys only when replaced or removed', () => {
    const changes = toChanges(toDraft(settings)) as Record<string, unknown>;
    expect(changes.llm_api_key).toBeUndefined();
    expect(changes.embeddings_api_key).toBeUndefined();
    expect(changes.temperature).toBe(0.2);
    expect(changes.batch_window_ms).toBe(2000);
    expect(changes.messages).toEqual({ fr: { greeting: 'Bienvenue !' } });
    expect(changes.triage).toEqual({ answer_greetings: true, try_to_answer: ['legal'] });
    const hours = changes.business_hours as { weekly: Record<string, unknown[]> };
    expect(hours.weekly.monday).toEqual([{ open: '09:00', close: '17:00' }]);
    expect(hours.weekly.sunday).toEqual([]);
  });

  it('replaces or removes a key, drops emptied texts and sends a number typed wrong as typed', () => {
    const draft = toDraft(settings);
    draft.llmKey = { ...draft.llmKey, remove: true };
    draft.embeddingsKey = { ...draft.embeddingsKey, replacement: ' sk-new ' };
    draft.messages.fr = { greeting: '' };
    draft.numbers.temperature = 'hot';
    const changes = toChanges(draft) as Record<string, unknown>;
    expect(changes.llm_api_key).toBe('');
    expect(changes.embeddings_api_key).toBe('sk-new');
    expect(changes.messages).toEqual({});
    expect(changes.temperature).toBe('hot');
  });

  it('reads the field a refusal names', () => {
    expect(refusedField('temperature must be between 0.000000 and 2.000000')).toBe('temperature');
    expect(refusedField('business_hours.weekly.monday[0].open must be a time HH:MM from 00:00 to 23:59')).toBe(
      'business_hours.weekly.monday[0].open',
    );
    expect(refusedField('messages.fr.out_of_hours must be a UTF-8 string of at most 1000 bytes')).toBe(
      'messages.fr.out_of_hours',
    );
    expect(refusedField('unknown field triage.greet')).toBe('triage.greet');
    expect(refusedField('llm_base_url: the address 10.0.0.1 is not reachable from here')).toBe('llm_base_url');
    expect(refusedField('Something else happened.')).toBeNull();
    expect(refusedField('storage unavailable, retry later')).toBeNull();
  });
});
