/** A made set in KADID-10k's layout: images/Irr_dd_ll.png, images/Irr.png, mos.csv, README.txt. */
import { strToU8, zipSync, type Zippable } from 'fflate';
import { distortionById } from './distortions';
import { LEVELS, type SynthSet } from './makeSet';
import { MOS_GAMMA, MOS_LO, msssimWeights } from './msssim';

/** The demo's header, KADID-10k's dmos.csv header: dmos is higher-is-better, var is 0 (no raters). */
export const MOS_HEADER = 'dist_img,ref_img,dmos,var';
export const SCORE_FILE = 'mos.csv';

export function mosCsv(set: SynthSet): string {
  const rows = set.items.map((it) => `images/${it.file},images/${it.ref},${(Math.round(it.mos * 1000) / 1000).toFixed(3)},0`);
  return `${MOS_HEADER}\n${rows.join('\n')}\n`;
}

export function readmeText(set: SynthSet, name: string): string {
  const scales = [...new Set(set.references.map((r) => r.scales))].sort();
  const lines = [
    `${name}: a KADID-style synthetic IQA set made by DML-IQA Studio from your photos.`,
    '',
    'THE SCORES ARE A FORMULA, NOT HUMAN OPINIONS. No person rated these images. Each score',
    'says how similar a distorted image is to its reference (MS-SSIM), mapped onto 1-5.',
    'Training on it shows that training works; it says nothing about agreement with people.',
    '',
    `${set.references.length} references x ${set.typeIds.length} distortion types x ${LEVELS} levels = ${set.items.length} distorted images.`,
    '',
    'Files',
    '  images/Irr.png        the references (not scored, not in mos.csv)',
    '  images/Irr_dd_ll.png  reference rr, distortion type dd, level ll (01 mildest ... 05 strongest)',
    `  mos.csv               ${MOS_HEADER}: KADID-10k's header; dmos is HIGHER-IS-BETTER (1-5)`,
    '                        despite its name, var is 0 (no raters). Split by ref_img when training.',
    '',
    'Distortion types (parameter per level 01 ... 05)',
    ...set.typeIds.map((id) => {
      const t = distortionById(id);
      return `  ${String(id).padStart(2, '0')} ${t.label} (${t.param}): ${t.levels.join(', ')}${t.note ? `\n     ${t.note}` : ''}`;
    }),
    `  White noise is seeded (seed ${set.seed}): the same photos give the same set.`,
    '',
    'The score formula (the studio demo set\'s)',
    '  1. BT.601 luma Y = 0.299 R + 0.587 G + 0.114 B on 0-255, of both images.',
    '  2. MS-SSIM (Wang, Simoncelli & Bovik 2003) on Y: 11x11 Gaussian window, sigma 1.5,',
    '     K1 = 0.01, K2 = 0.03, L = 255, "valid" region, 2x2 average pooling between scales,',
    '     MS-SSIM = prod_{j<M} cs_j^w_j * ssim_M^w_M, negative terms clamped to 0.',
    '     Five scales from 176 px up; below that three, as in the demo set. Weights: the first M of',
    '     0.0448, 0.2856, 0.3001, 0.2363, 0.1333, renormalised to sum to 1:',
    ...scales.map((m) => `     M = ${m}: ${msssimWeights(m).map((w) => w.toFixed(4)).join(', ')}`),
    `  3. mos = 1 + 4 * clip((msssim - ${MOS_LO}) / (1 - ${MOS_LO}), 0, 1) ^ ${MOS_GAMMA}, rounded to 3 decimals.`,
    '',
    'References (file: your photo)',
    ...set.references.map((r) => `  ${r.file}: ${r.source} (${r.width}x${r.height})`),
    '',
  ];
  return lines.join('\n');
}

/** Every file of the set, paths relative to its folder (images/..., mos.csv, README.txt). */
export function setFiles(set: SynthSet, name: string): { path: string; bytes: Uint8Array }[] {
  return [
    ...set.references.map((r) => ({ path: `images/${r.file}`, bytes: r.png })),
    ...set.items.map((it) => ({ path: `images/${it.file}`, bytes: it.png })),
    { path: SCORE_FILE, bytes: strToU8(mosCsv(set)) },
    { path: 'README.txt', bytes: strToU8(readmeText(set, name)) },
  ];
}

/** The zip: one top folder named `folder`. PNGs are stored (already deflated), text deflated. */
export function kadidZip(set: SynthSet, folder: string, name = folder): Uint8Array {
  const tree: Zippable = {};
  // A fixed date keeps the bytes the same for the same set.
  const mtime = new Date(2024, 0, 1);
  for (const f of setFiles(set, name)) tree[`${folder}/${f.path}`] = [f.bytes, { level: f.path.endsWith('.png') ? 0 : 6, mtime }];
  return zipSync(tree);
}
