import { describe, expect, it } from 'vitest';
import { initialRunState, runReducer } from './runState';
import type { FromWorker } from '../../worker/protocol';

const fold = (msgs: FromWorker[]) => runReducer(initialRunState, { type: 'messages', msgs, now: 0 });

describe('warnings on the page', () => {
  it('a keyed warning replaces its earlier self in place; other warnings stay, each once', () => {
    const s = fold([
      { type: 'warning', message: 'backend fell back' },
      { type: 'warning', key: 'full', message: 'checkpoint of epoch 2 not saved' },
      { type: 'warning', message: 'backend fell back' },
      { type: 'warning', message: 'another' },
      { type: 'warning', key: 'full', message: 'checkpoints of epochs 2 and 3 not saved' },
      { type: 'warning', key: 'other', message: 'history not saved' },
      { type: 'warning', key: 'full', message: 'room again at epoch 4' },
    ]);
    expect(s.warnings).toEqual(['backend fell back', 'room again at epoch 4', 'another', 'history not saved']);
  });
});
