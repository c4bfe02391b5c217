import { describe, expect, it } from 'vitest';
import { heatmapChoiceNote, heatmapImageLabel, pickedPosition } from './heatmapPicker';

describe('the heatmap test-image picker', () => {
  it('labels each image by its 1-based position and its file name', () => {
    expect(heatmapImageLabel('demo/img_007.png', 0)).toBe('1. img_007.png');
    expect(heatmapImageLabel('a/b/c.jpg', 11)).toBe('12. c.jpg');
    expect(heatmapImageLabel('flat.bmp', 2)).toBe('3. flat.bmp');
  });

  it('shows the config position kept within the test set, as the worker keeps it', () => {
    expect(pickedPosition(5, undefined)).toBe(0);
    expect(pickedPosition(5, 3)).toBe(3);
    expect(pickedPosition(5, 40)).toBe(4);
  });

  it('says when a choice is mapped: the next epoch while training, else the next run; nothing when it is already shown', () => {
    expect(heatmapChoiceNote(2, 2, true)).toBeNull();
    expect(heatmapChoiceNote(2, 2, false)).toBeNull();
    expect(heatmapChoiceNote(1, 0, true)).toBe('Test image 2 is mapped from the next epoch on.');
    expect(heatmapChoiceNote(0, 3, false)).toBe('Test image 1 is mapped in the next run.');
  });
});
