import { describe, expect, it } from 'vitest';
import { spreadSample } from './spreadSample';

describe('spreadSample', () => {
  const items = ['d.png', 'a.png', 'c.png', 'b.png', 'f.png', 'e.png'].map((file, i) => ({ file, row: i }));

  it('takes n items at even steps over the list sorted by file', () => {
    expect(spreadSample(items, 3).map((it) => it.file)).toEqual(['a.png', 'c.png', 'e.png']);
    expect(spreadSample(items, 2).map((it) => it.file)).toEqual(['a.png', 'd.png']);
    expect(items[0]!.file).toBe('d.png'); // the input is left as it was
  });

  it('returns every item once when asked for more than there are', () => {
    expect(spreadSample(items, 10).map((it) => it.file)).toEqual(['a.png', 'b.png', 'c.png', 'd.png', 'e.png', 'f.png']);
    expect(spreadSample(items, 0)).toEqual([]);
  });
});
