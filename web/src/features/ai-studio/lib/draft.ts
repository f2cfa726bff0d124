// The settings form's state: what the inputs hold (numbers as typed, keys to replace or remove), read from the API's
// settings and turned back into the changes a PUT /api/ai-settings sends.
import type { AiSettings, AiSettingsChanges } from '../api/settings';

export const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof weekdays)[number];

/** The bot's messages, as the settings' `messages` name them. */
export const botMessages = [
  'greeting',
  'handoff',
  'fallback',
  'out_of_hours',
  'safety',
  'quota',
  'image_notice',
  'audio_notice',
  'answer_intro',
] as const;
export type BotMessage = (typeof botMessages)[number];

/** The escalation reasons a business may let the bot try to answer first (never urgent safety). */
export const triableReasons = ['complaint', 'billing_dispute', 'account_access', 'legal'] as const;

/** How public comments (Instagram) are answered: AiSettings' comment_replies. */
export const commentReplies = ['private', 'public', 'both', 'off'] as const;

/** What becomes of a voice note nobody could transcribe: AiSettings' unheard_voice_notes. */
export const unheardVoiceNotes = ['ask_to_write', 'hand_off'] as const;

export const numberFields = ['temperature', 'max_tokens', 'min_relevance', 'top_k', 'history_turns', 'batch_window_ms'] as const;
export type NumberField = (typeof numberFields)[number];

export interface Interval {
  open: string;
  close: string;
}

/** A write-only key: kept, replaced by a new one, or removed. */
export interface KeyDraft {
  isSet: boolean;
  replacement: string;
  remove: boolean;
}

export interface Draft {
  enabled: boolean;
  persona: string;
  answer_language: string;
  llm_base_url: string;
  model: string;
  llm_vision: boolean;
  llmKey: KeyDraft;
  embeddings_base_url: string;
  embeddings_model: string;
  embeddingsKey: KeyDraft;
  numbers: Record<NumberField, string>;
  messages: Record<string, Partial<Record<BotMessage, string>>>;
  answer_greetings: boolean;
  try_to_answer: string[];
  comment_replies: string;
  unheard_voice_notes: string;
  hoursEnabled: boolean;
  weekly: Record<Weekday, Interval[]>;
  closed_dates: string[];
}

export function toDraft(settings: AiSettings): Draft {
  const hours = settings.business_hours ?? {};
  const weekly = {} as Record<Weekday, Interval[]>;
  for (const day of weekdays) weekly[day] = [...((hours.weekly?.[day] ?? []) as Interval[])];
  const numbers = {} as Record<NumberField, string>;
  for (const field of numberFields) numbers[field] = settings[field] === undefined ? '' : String(settings[field]);
  const messages: Draft['messages'] = {};
  for (const [language, texts] of Object.entries((settings.messages ?? {}) as Record<string, Record<string, string>>)) {
    messages[language] = { ...texts };
  }
  return {
    enabled: settings.enabled ?? true,
    persona: settings.persona ?? '',
    answer_language: settings.answer_language ?? 'auto',
    llm_base_url: settings.llm_base_url ?? '',
    model: settings.model ?? '',
    llm_vision: settings.llm_vision ?? false,
    llmKey: { isSet: Boolean(settings.llm_api_key_set), replacement: '', remove: false },
    embeddings_base_url: settings.embeddings_base_url ?? '',
    embeddings_model: settings.embeddings_model ?? '',
    embeddingsKey: { isSet: Boolean(settings.embeddings_api_key_set), replacement: '', remove: false },
    numbers,
    messages,
    answer_greetings: settings.triage?.answer_greetings ?? true,
    try_to_answer: [...(settings.triage?.try_to_answer ?? [])],
    comment_replies: settings.comment_replies ?? 'private',
    unheard_voice_notes: settings.unheard_voice_notes ?? 'ask_to_write',
    hoursEnabled: Boolean(hours.enabled),
    weekly,
    closed_dates: [...(hours.closed_dates ?? [])],
  };
}

// A number as typed goes as a number; anything else goes as typed, and the server names the field it refuses.
function numberValue(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

function keyChange(key: KeyDraft): string | undefined {
  if (key.replacement.trim()) return key.replacement.trim();
  if (key.remove) return '';
  return undefined;
}

/** The body of PUT /api/ai-settings: every field the form edits; a key only when replaced or removed. */
export function toChanges(draft: Draft): AiSettingsChanges {
  const messages: Record<string, Record<string, string>> = {};
  for (const [language, texts] of Object.entries(draft.messages)) {
    const kept = Object.fromEntries(Object.entries(texts).filter(([, text]) => text && text.trim()));
    if (Object.keys(kept).length > 0) messages[language] = kept as Record<string, string>;
  }
  const changes: Record<string, unknown> = {
    enabled: draft.enabled,
    persona: draft.persona,
    answer_language: draft.answer_language,
    llm_base_url: draft.llm_base_url.trim(),
    model: draft.model.trim(),
    llm_vision: draft.llm_vision,
    embeddings_base_url: draft.embeddings_base_url.trim(),
    embeddings_model: draft.embeddings_model.trim(),
    messages,
    triage: { answer_greetings: draft.answer_greetings, try_to_answer: draft.try_to_answer },
    comment_replies: draft.comment_replies,
    unheard_voice_notes: draft.unheard_voice_notes,
    business_hours: { enabled: draft.hoursEnabled, weekly: draft.weekly, closed_dates: draft.closed_dates },
  };
  for (const field of numberFields) changes[field] = numberValue(draft.numbers[field]);
  const llmKey = keyChange(draft.llmKey);
  if (llmKey !== undefined) changes.llm_api_key = llmKey;
  const embeddingsKey = keyChange(draft.embeddingsKey);
  if (embeddingsKey !== undefined) changes.embeddings_api_key = embeddingsKey;
  return changes as AiSettingsChanges;
}

/**
 * The field a refusal of the settings names: the API's messages start with it ("temperature must be between 0 and
 * 2", "business_hours.weekly.monday[0].open must be …", "unknown field triage.greet", "llm_base_url: …"). Null
 * when none is named.
 */
export function refusedField(message: string): string | null {
  const match = /^(?:unknown field )?([a-z_]+(?:(?:\.[a-z_0-9]+)|(?:\[\d+\]))*)(?: must|: |$)/.exec(message);
  return match ? match[1]! : null;
}
