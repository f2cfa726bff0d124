import { describe, expect, it } from 'vitest';
import { formatDuration, formatRate } from './format';

describe('formatDuration', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(4.24)).toBe('4.2 s');
    expect(formatDuration(185)).toBe('3 min 5 s');
    expect(formatDuration(7800)).toBe('2 h 10 min');
    expect(formatDuration(3 * 86400 + 7200)).toBe('3 d 2 h');
  });
});

describe('formatRate', () => {
  it('formats a percentage in the language', () => {
    expect(formatRate(0.756, 'en')).toBe('75.6%');
    expect(formatRate(0.5, 'fr')).toMatch(/^50\s?%$/);
    expect(formatRate(null, 'en')).toBe('—');
  });
});
