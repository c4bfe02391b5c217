/** Headlines and next steps for every kind of failure, in words a student understands. */
import type { WorkerErrorKind } from '../run/runState';

export interface Advice {
  title: string;
  next: string;
}

export const ADVICE: Record<WorkerErrorKind | 'file' | 'no-match', Advice> = {
  file: {
    title: 'This file cannot be used',
    next: 'Check that you picked the score file (CSV or TXT) that lists each image with its score, then pick it again.',
  },
  'no-match': {
    title: 'No image matched a row of the score file',
    next: 'Pick the folder that holds the images the score file names, or change the image column under "Columns".',
  },
  data: {
    title: 'The data cannot be used for training',
    next: 'Check the image folder, the score file and the split in steps 1 and 2 (the message above says what is wrong), then press Start again.',
  },
  backend: {
    title: 'The compute backend failed',
    next: 'Choose "auto", or force "wasm" (slower but works everywhere), and press Start again.',
  },
  diverged: {
    title: 'Training blew up: the loss became NaN (not a number)',
    next: 'Lower the learning rate (for example from 1e-3 to 1e-4), or lower λ, and press Start again.',
  },
  memory: {
    title: 'The browser ran out of memory',
    next: 'Use a smaller image size, a smaller batch, fewer peers, or a smaller model; close other tabs; then press Start again.',
  },
  storage: {
    title: 'The browser’s storage is full',
    next: 'Free space by deleting old runs or site data for this page (browser settings → site data), then press Start again.',
  },
  run: {
    title: 'This run cannot be continued here',
    next: 'If it is training in another tab or window, stop it there or let it finish; if it was deleted, start a new run.',
  },
  interrupted: {
    title: 'Training was cut off: its worker is gone',
    next: 'Press “Continue run” beside the run in the runs list (step 5): it goes on from its last saved checkpoint. If it happens again, use smaller images, a smaller batch or fewer peers (the browser may have run out of memory).',
  },
  internal: {
    title: 'Something went wrong inside the studio',
    next: 'Reload the page and start again. If it happens again, download the config and report it with the message above.',
  },
};
