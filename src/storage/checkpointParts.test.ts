import { describe, expect, it } from 'vitest';
import { cutIntoParts, joinParts } from './checkpointParts';

const tensor = (name: string, length: number, from: number) => ({ name, shape: [length], data: Float32Array.from({ length }, (_, i) => from + i) });

describe('a checkpoint cut into parts', () => {
  const states = {
    dml: { nets: [[tensor('a', 7, 0)], [tensor('b', 3, 100)]], optimizers: [[tensor('a/m', 7, 200)], []] },
    baseline: { nets: [[tensor('c', 1, 300)]], optimizers: [[]] },
  };

  it('stays whole when its data fits one part', () => {
    expect(cutIntoParts(states, 18 * 4)).toBeNull();
  });

  it('lays the data end to end (kinds sorted, nets then optimizers) in parts of at most partBytes, tensors spanning parts, and joins it back', () => {
    const cut = cutIntoParts(states, 5 * 4)!;
    expect(cut.layout).toEqual({ parts: 4, lengths: [1, 7, 3, 7] });
    expect(cut.parts.map((p) => Array.from(p))).toEqual([[300, 0, 1, 2, 3], [4, 5, 6, 100, 101], [102, 200, 201, 202, 203], [204, 205, 206]]);
    // What the checkpoint's own value keeps: names and shapes, no data.
    expect(cut.states.dml!.nets[0]![0]).toEqual({ name: 'a', shape: [7], data: new Float32Array(0) });
    expect(states.dml.nets[0]![0]!.data).toHaveLength(7);
    const back = joinParts(structuredClone(cut.states), cut.layout, cut.parts);
    expect(back).toEqual(states);
  });

  it('refuses parts that do not match the layout', () => {
    const cut = cutIntoParts(states, 5 * 4)!;
    expect(() => joinParts(cut.states, cut.layout, cut.parts.slice(1))).toThrow(/3 of 4 parts/);
    // A part cut short (a truncated write) is refused, not read as zeros.
    const short = [...cut.parts.slice(0, 3), cut.parts[3]!.subarray(0, 2)];
    expect(() => joinParts(cut.states, cut.layout, short)).toThrow('The checkpoint\'s parts hold 17 numbers where its layout needs 18.');
  });
});
