import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, renderPage } from '../../../test/utils';
import { AiStudioPage } from './AiStudioPage';

const builtin = {
  en: { greeting: 'Hello! How can I help you?', out_of_hours: 'We are closed right now.', handoff: 'A person will answer.' },
  fr: { greeting: 'Bonjour ! Comment puis-je vous aider ?', out_of_hours: 'Nous sommes actuellement fermés.' },
};

const settings = {
  enabled: true,
  knowledge_base_ids: [],
  persona: 'You are Léa, of the Martin shoe shop.',
  answer_language: 'auto',
  language: 'en',
  llm_base_url: 'https://llm.test/v1',
  llm_api_key_set: true,
  model: 'gpt-test',
  temperature: 0.2,
  max_tokens: 400,
  embeddings_base_url: '',
  embeddings_api_key_set: false,
  embeddings_model: '',
  min_relevance: 0,
  top_k: 5,
  history_turns: 10,
  handoff_message: '',
  fallback_message: '',
  greeting_message: '',
  messages: { fr: { greeting: 'Bienvenue chez Martin !' } },
  builtin_messages: builtin,
  chunk_size: 800,
  chunk_overlap: 120,
  batch_window_ms: 2000,
  triage: { answer_greetings: true, try_to_answer: [] },
  business_hours: {
    enabled: false,
    weekly: { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] },
    closed_dates: [],
  },
};

const tenant = { id: 1, name: 'Martin', time_zone: 'Europe/Paris', message_retention_days: null };

function api(extra: Record<string, unknown> = {}) {
  return fakeApi({
    'GET /api/ai-settings': settings,
    'GET /api/tenant': tenant,
    'PUT /api/ai-settings': (call: { body: unknown }) => ({ ...settings, ...(call.body as object) }),
    ...extra,
  });
}

function sent(calls: Array<{ method: string; body: unknown }>) {
  const put = calls.filter((call) => call.method === 'PUT').at(-1);
  return put?.body as Record<string, any>;
}

describe('AiStudioPage', () => {
  it('asks the agent in the playground tab and shows the answer, its sources and the trace', async () => {
    const { calls } = api({
      'POST /api/playground/ask': {
        decision: 'AUTO_REPLY',
        reason: 'answered',
        answer: 'We deliver on Sundays.',
        sources: [{ name: 'shop.md', chunk_id: 3, text: 'Sunday delivery until noon.', score: 0.71 }],
        trace: [{ stage: 'triage', us: 120 }],
        draft: null,
      },
    });
    renderPage(<AiStudioPage />);
    await userEvent.click(screen.getByRole('tab', { name: 'Playground' }));
    expect(screen.getByRole('tab', { name: 'Playground' })).toHaveAttribute('aria-selected', 'true');
    await userEvent.click(screen.getByRole('textbox', { name: 'Question' }));
    await userEvent.paste('Do you deliver on Sunday?');
    await userEvent.click(screen.getByRole('button', { name: 'Ask' }));
    expect(await screen.findByText('We deliver on Sundays.')).toBeInTheDocument();
    expect(screen.getByText('Sunday delivery until noon.')).toBeInTheDocument();
    expect(screen.getByText('score 0.71')).toBeInTheDocument();
    expect(screen.getByText(/"stage": "triage"/)).toBeInTheDocument();
    expect(calls.find((call) => call.path === '/api/playground/ask')!.body).toEqual({ question: 'Do you deliver on Sunday?' });
  }, 20_000);

  it('shows the settings by section and keys only as set or not, then replaces one and removes another', async () => {
    const { calls } = api();
    renderPage(<AiStudioPage />);
    expect(await screen.findByRole('textbox', { name: 'Instructions to the model' })).toHaveValue(
      'You are Léa, of the Martin shoe shop.',
    );
    for (const name of ['Persona', 'Model and provider', 'Thresholds', 'Batch window', "The bot's messages", 'Triage', 'Voice notes', 'Business hours']) {
      expect(screen.getByRole('heading', { name })).toBeInTheDocument();
    }
    expect(screen.getByText('Chat model API key: set')).toBeInTheDocument();
    expect(screen.getByText('Embeddings API key: not set')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Remove Embeddings API key' })).not.toBeInTheDocument();
    expect(screen.getByText(/time zone Europe\/Paris/)).toBeInTheDocument();
    expect(screen.getByRole('spinbutton', { name: 'Temperature' })).toHaveValue(0.2);

    await userEvent.click(screen.getByRole('button', { name: 'Remove Chat model API key' }));
    expect(screen.getByText('Chat model API key: removed when you save')).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Replace Embeddings API key'));
    await userEvent.paste('sk-emb-new');
    const batch = screen.getByRole('spinbutton', { name: 'Wait for further messages (ms)' });
    await userEvent.clear(batch);
    await userEvent.click(batch);
    await userEvent.paste('3500');
    const vision = screen.getByRole('checkbox', { name: 'The model reads images: photos customers send go to it' });
    expect(vision).not.toBeChecked();
    await userEvent.click(vision);
    await userEvent.click(screen.getByRole('checkbox', { name: 'Answer greetings' }));
    await userEvent.click(screen.getByRole('checkbox', { name: 'billing dispute' }));
    const comments = screen.getByRole('combobox', { name: 'Answer comments' });
    expect(comments).toHaveValue('private');
    await userEvent.selectOptions(comments, 'Under the comment');
    const voiceNotes = screen.getByRole('combobox', { name: 'When a voice note cannot be transcribed' });
    expect(voiceNotes).toHaveValue('ask_to_write');
    await userEvent.selectOptions(voiceNotes, 'Pass the conversation to a person, who listens');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    const body = sent(calls);
    expect(body.llm_api_key).toBe('');
    expect(body.embeddings_api_key).toBe('sk-emb-new');
    expect(body.batch_window_ms).toBe(3500);
    expect(body.triage).toEqual({ answer_greetings: false, try_to_answer: ['billing_dispute'] });
    expect(body.comment_replies).toBe('public');
    expect(body.llm_vision).toBe(true);
    expect(body.unheard_voice_notes).toBe('hand_off');
    expect(body.persona).toBe('You are Léa, of the Martin shoe shop.');
  }, 30_000);

  it("shows the server's refusal beside the field it names", async () => {
    api({
      'PUT /api/ai-settings': {
        status: 400,
        body: { error: { code: 'invalid_argument', message: 'batch_window_ms must be between 0 and 60000' } },
      },
    });
    renderPage(<AiStudioPage />);
    const batch = await screen.findByRole('spinbutton', { name: 'Wait for further messages (ms)' });
    await userEvent.clear(batch);
    await userEvent.click(batch);
    await userEvent.paste('90000');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Not saved: batch_window_ms must be between 0 and 60000');
    expect(batch).toHaveAttribute('aria-invalid', 'true');
    expect(batch).toHaveAccessibleDescription(/must be between 0 and 60000/);
    expect(screen.getByRole('spinbutton', { name: 'Temperature' })).toHaveAttribute('aria-invalid', 'false');
  }, 20_000);

  it("edits the bot's messages per language over the built-in texts", async () => {
    const { calls } = api();
    renderPage(<AiStudioPage />);
    const greeting = await screen.findByRole('textbox', { name: 'Greeting' });
    expect(greeting).toHaveAttribute('placeholder', 'Hello! How can I help you?');
    expect(greeting).toHaveValue('');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Language of the messages' }), 'fr');
    expect(greeting).toHaveAttribute('placeholder', 'Bonjour ! Comment puis-je vous aider ?');
    expect(greeting).toHaveValue('Bienvenue chez Martin !');
    await userEvent.click(screen.getByRole('button', { name: 'Reset Greeting to the built-in text' }));
    expect(greeting).toHaveValue('');
    const outOfHours = screen.getByRole('textbox', { name: 'Out of hours' });
    expect(outOfHours).toHaveAttribute('placeholder', 'Nous sommes actuellement fermés.');
    await userEvent.click(outOfHours);
    await userEvent.paste('Fermé, à demain !');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(sent(calls)).toBeDefined());
    expect(sent(calls).messages).toEqual({ fr: { out_of_hours: 'Fermé, à demain !' } });
  }, 20_000);

  it('sets business hours by weekday with closed dates and the out-of-hours message', async () => {
    const { calls } = api();
    renderPage(<AiStudioPage />);
    await userEvent.click(await screen.findByRole('checkbox', { name: 'Use business hours' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add hours on Monday' }));
    await userEvent.click(screen.getByRole('button', { name: 'Add hours on Monday' }));
    fireEvent.change(screen.getByLabelText('Monday closes (1)'), { target: { value: '12:30' } });
    fireEvent.change(screen.getByLabelText('Monday opens (2)'), { target: { value: '14:00' } });
    fireEvent.change(screen.getByLabelText('Monday closes (2)'), { target: { value: '18:00' } });
    await userEvent.click(screen.getByRole('button', { name: 'Add hours on Friday' }));
    await userEvent.click(screen.getByRole('button', { name: 'Remove Friday hours 1' }));
    fireEvent.change(screen.getByLabelText('Closed date to add'), { target: { value: '2026-12-25' } });
    await userEvent.click(screen.getByRole('button', { name: 'Add closed date' }));
    expect(screen.getByRole('button', { name: 'Remove 2026-12-25' })).toBeInTheDocument();
    const message = screen.getByRole('textbox', { name: 'Out-of-hours message (English)' });
    expect(message).toHaveAttribute('placeholder', 'We are closed right now.');
    await userEvent.click(message);
    await userEvent.paste('Closed now; we answer from 9am.');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(sent(calls)).toBeDefined());
    const body = sent(calls);
    expect(body.business_hours.enabled).toBe(true);
    expect(body.business_hours.weekly.monday).toEqual([
      { open: '09:00', close: '12:30' },
      { open: '14:00', close: '18:00' },
    ]);
    expect(body.business_hours.weekly.friday).toEqual([]);
    expect(body.business_hours.closed_dates).toEqual(['2026-12-25']);
    expect(body.messages.en).toEqual({ out_of_hours: 'Closed now; we answer from 9am.' });
  }, 30_000);

  it('names the business-hours fields the server refuses', async () => {
    api({
      'GET /api/ai-settings': {
        ...settings,
        business_hours: { ...settings.business_hours, enabled: true, weekly: { ...settings.business_hours.weekly, monday: [{ open: '09:00', close: '17:00' }] } },
      },
      'PUT /api/ai-settings': {
        status: 400,
        body: { error: { code: 'invalid_argument', message: 'business_hours.weekly.monday[0].close must be another time than open' } },
      },
    });
    renderPage(<AiStudioPage />);
    const close = await screen.findByLabelText('Monday closes (1)');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await screen.findByRole('alert');
    expect(close).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Monday opens (1)')).toHaveAttribute('aria-invalid', 'false');
  }, 20_000);

  it('speaks French', async () => {
    api();
    renderPage(<AiStudioPage />, { language: 'fr' });
    expect(await screen.findByRole('heading', { name: 'Heures d’ouverture' })).toBeInTheDocument();
    const tabs = screen.getByRole('tablist', { name: 'Sections du studio IA' });
    expect(within(tabs).getByRole('tab', { name: 'Réglages' })).toHaveAttribute('aria-selected', 'true');
    expect(within(tabs).getByRole('tab', { name: 'Bac à sable' })).toBeInTheDocument();
    expect(screen.getByText('État de la clé API du modèle de conversation : définie')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Ajouter des heures le lundi' })).toBeInTheDocument();
  }, 20_000);
});
