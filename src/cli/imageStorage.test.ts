import { describe, expect, it } from 'vitest';
import { cliImageStorage } from './imageStorage';

const GB = 2 ** 30;

describe('cliImageStorage', () => {
  it('keeps a set on disk when it takes over half the machine’s memory, in memory otherwise, and the flags decide over the size', () => {
    // KonIQ-10k at the Paper preset's 384×512: 5.5 GB decoded.
    const koniq = cliImageStorage(10_073, 384, 512, undefined, 8 * GB);
    expect(koniq).toEqual({ disk: true, why: expect.stringMatching(/^10073 images at 384×512 take 5\.5 GB decoded, over half of this machine's 8\.0 GB: kept on disk/) });
    expect(cliImageStorage(10_073, 384, 512, undefined, 24 * GB).disk).toBe(false);
    expect(cliImageStorage(10_073, 384, 512, false, 8 * GB)).toEqual({ disk: false, why: expect.stringMatching(/held in memory \(--images-in-memory\)$/) });
    expect(cliImageStorage(300, 128, 128, true, 8 * GB)).toEqual({ disk: true, why: expect.stringMatching(/kept on disk in a temporary file \(--images-on-disk\), 512 MB of them in memory at a time$/) });
  });
});
