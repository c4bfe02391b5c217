import { describe, expect, it } from 'vitest';
import { parseScoreFile } from './scoreFile';

// CSIQ through the IQA-Dataset collection: names without I<ref>_<type>_<level>, the type in dis_type.
const CSIQ = [
  'dis_img_path,dis_type,ref_img_path,score',
  'CSIQ/dst_imgs/awgn/1600.AWGN.1.png,awgn,CSIQ/src_imgs/1600.png,0.062',
  'CSIQ/dst_imgs/awgn/1600.AWGN.2.png,awgn,CSIQ/src_imgs/1600.png,0.206',
  'CSIQ/dst_imgs/jpeg/1600.JPEG.1.png,jpeg,CSIQ/src_imgs/1600.png,0.043',
  'CSIQ/dst_imgs/blur/aerial_city.BLUR.3.png,blur,CSIQ/src_imgs/aerial_city.png,0.411',
].join('\n');

describe('distortion type from a column', () => {
  it('names without a type: the dis_type column gives each row its type', () => {
    const { layout, rows } = parseScoreFile('csiq.txt', CSIQ);
    expect(layout.distortionFromNames).toBeUndefined();
    expect(layout.distortionColumn).toBe(1);
    expect(rows.map((r) => r.distortion)).toEqual(['awgn', 'awgn', 'jpeg', 'blur']);
    expect(layout.reasons).toContain('Distortion type column: "dis_type" (column 2) — 3 types, for SRCC per distortion type.');
  });

  it('names that carry the type keep it; a column with one type for every row says nothing', () => {
    const named = parseScoreFile('k.csv', 'dis_img_path,dis_type,score\nI01_03_02.png,GBLUR,3.1\nI02_05_01.png,JPEG,2.2\n');
    expect(named.layout.distortionColumn).toBeUndefined();
    expect(named.rows.map((r) => r.distortion)).toEqual(['03', '05']);
    const live = parseScoreFile('live.txt', 'dis_img_path,dis_type,score\nImages/1.bmp,Authentic,50\nImages/2.bmp,Authentic,60\n');
    expect(live.layout.distortionColumn).toBeUndefined();
    expect(live.rows.every((r) => r.distortion === undefined)).toBe(true);
  });

  it('a chosen column wins; a column chosen away gives none', () => {
    const text = 'image,mos,kind\nI01_03_02.png,3.1,x\nI02_05_01.png,2.2,y\n';
    expect(parseScoreFile('s.csv', text, { distortionColumn: 2 }).rows.map((r) => r.distortion)).toEqual(['x', 'y']);
    expect(parseScoreFile('c.txt', CSIQ, { distortionColumn: undefined }).rows.every((r) => r.distortion === undefined)).toBe(true);
    expect(() => parseScoreFile('s.csv', text, { distortionColumn: 7 })).toThrow(/distortion type column you chose \(8\) does not exist/);
  });
});
