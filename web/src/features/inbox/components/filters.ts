// The inbox's filters live in the address (?status=open&mode=human…), so a filtered view can be shared and survives
// opening a conversation.
import type { ConversationFilter } from '../../../lib/api/keys';

export interface FilterParams {
  q: string;
  status: '' | 'open' | 'closed';
  mode: '' | 'bot' | 'human';
  /** "", "mine", "none" or a user id. */
  assignee: string;
  channel: string;
  waiting: boolean;
}

export function readFilterParams(params: URLSearchParams): FilterParams {
  const pick = <T extends string>(name: string, allowed: readonly T[]): T | '' => {
    const value = params.get(name) ?? '';
    return (allowed as readonly string[]).includes(value) ? (value as T) : '';
  };
  return {
    q: params.get('q') ?? '',
    status: pick('status', ['open', 'closed'] as const),
    mode: pick('mode', ['bot', 'human'] as const),
    assignee: params.get('assignee') ?? '',
    channel: params.get('channel') ?? '',
    waiting: params.get('waiting') === '1',
  };
}

export function writeFilterParams(filters: FilterParams): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.status) params.set('status', filters.status);
  if (filters.mode) params.set('mode', filters.mode);
  if (filters.assignee) params.set('assignee', filters.assignee);
  if (filters.channel) params.set('channel', filters.channel);
  if (filters.waiting) params.set('waiting', '1');
  return params;
}

/** The API's query for these filters; "mine" is the signed-in person's id. */
export function toConversationFilter(filters: FilterParams, myUserId: number | undefined): ConversationFilter {
  const filter: ConversationFilter = {};
  if (filters.q.trim()) filter.q = filters.q.trim();
  if (filters.status) filter.status = filters.status;
  if (filters.mode) filter.mode = filters.mode;
  if (filters.assignee === 'mine') {
    if (myUserId !== undefined) filter.assignee = String(myUserId);
  } else if (filters.assignee) {
    filter.assignee = filters.assignee;
  }
  if (filters.channel) filter.channel_id = filters.channel;
  if (filters.waiting) filter.waiting = true;
  return filter;
}
