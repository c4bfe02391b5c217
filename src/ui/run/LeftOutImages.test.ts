import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ImportProblem } from '../../core/data/types';
import { initialRunState, runReducer } from './runState';
import { LeftOutImages } from './LeftOutImages';

const bad = (file: string, set?: 'cross'): ImportProblem => ({ kind: 'unreadable-image', file, message: `${file} could not be decoded`, ...(set && { set }) });

describe('the images left out', () => {
  it("shows the cross set's problems under its name, apart from the training data's", () => {
    const s = runReducer(initialRunState, {
      type: 'messages',
      msgs: [
        { type: 'problems', problems: [bad('a.png'), bad('b.png')] },
        { type: 'problems', problems: [bad('c.png', 'cross')] },
      ],
      now: 0,
    });
    const html = renderToStaticMarkup(createElement(LeftOutImages, { problems: s.problems, crossName: 'LIVE' }));
    const [main, cross] = html.split('</details>');
    expect(main).toMatch(/data-set="main"><summary>2 images could not be used/);
    expect(main).toMatch(/a\.png.*b\.png/);
    expect(main).not.toMatch(/c\.png/);
    expect(cross).toMatch(/data-set="cross"><summary>Cross-dataset set LIVE: 1 image could not be used and was left out/);
    expect(cross).toMatch(/c\.png/);
  });
});
