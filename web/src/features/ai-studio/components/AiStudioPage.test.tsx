import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, renderPage } from '../../../test/utils';
import { AiStudioPage } from './AiStudioPage';

describe('AiStudioPage', () => {
  it('asks the agent and shows the answer, its sources and the trace', async () => {
    const { calls } = fakeApi({
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
    await userEvent.type(screen.getByRole('textbox', { name: 'Question' }), 'Do you deliver on Sunday?');
    await userEvent.click(screen.getByRole('button', { name: 'Ask' }));
    expect(await screen.findByText('We deliver on Sundays.')).toBeInTheDocument();
    expect(screen.getByText('Sunday delivery until noon.')).toBeInTheDocument();
    expect(screen.getByText('score 0.71')).toBeInTheDocument();
    expect(screen.getByText(/"stage": "triage"/)).toBeInTheDocument();
    expect(calls[0]!.body).toEqual({ question: 'Do you deliver on Sunday?' });
  });
});
