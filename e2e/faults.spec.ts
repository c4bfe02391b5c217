/**
 * Faults, as a user meets them: the training worker killed mid-epoch (the page notices, lists
 * the run as interrupted, and Continue goes on from its checkpoint with every epoch once); the
 * storage quota exceeded mid-run (a small limit through a test hook: the warning says what was
 * not kept and what to do, training goes on, deleting a run makes room again); two tabs
 * training at once, with a database upgrade from one of them in the middle.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { StartMessage } from '../src/worker/protocol';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium';
import { loadDemoAndConfigure, runsTable, storedRuns, watchErrors, type StoredRun } from './studioPage';

const SHOTS = 'test-results/screenshots';

// Two tabs side by side, as in two windows: the one not in front is not slowed down.
test.use({
  launchOptions: {
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'],
  },
});

interface Probe {
  /** Every training worker the page started, newest last. */
  trainers: Worker[];
  /** Messages each trainer posted (a tasks worker is one too), and the latest step (0-based epoch) with the trainer it came from. */
  posted: number[];
  lastStep: { epoch: number; step: number; run: string; from: number } | null;
  /** Merged into the debug field of every 'start' the page posts. */
  startDebug?: StartMessage['debug'];
}

/**
 * Watches the page's training workers from outside the app: keeps each, counts what it posts,
 * and adds test hooks to the start message. The app's code is the one shipped; only the test
 * reaches in (and kills a worker as a crash would, without the page being told).
 */
async function probeWorkers(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __probe: Probe; Worker: typeof Worker };
    w.__probe = { trainers: [], posted: [], lastStep: null };
    const Base = window.Worker;
    w.Worker = class extends Base {
      constructor(url: string | URL, opts?: WorkerOptions) {
        super(url, opts);
        if (opts?.name !== 'dml-iqa-trainer') return;
        const i = w.__probe.trainers.push(this) - 1;
        w.__probe.posted[i] = 0;
        this.addEventListener('message', (e: MessageEvent) => {
          w.__probe.posted[i]!++;
          const steps = e.data?.type === 'steps' ? e.data.steps : [];
          if (steps.length) w.__probe.lastStep = { ...steps.at(-1), from: i };
        });
      }
      override postMessage(msg: unknown, transfer?: unknown): void {
        const m = msg as { type?: string; debug?: object };
        const extra = w.__probe.startDebug;
        const out = m?.type === 'start' && extra ? { ...m, debug: { ...m.debug, ...extra } } : msg;
        super.postMessage(out, transfer as Transferable[]);
      }
    };
  });
}
/** Runs `f` on the page's probe (f is sent as source: it may use nothing from this file). */
const probe = <T>(page: Page, f: (p: Probe) => T) => page.evaluate(`(${f.toString()})(window.__probe)`) as Promise<T>;
const setStartDebug = (page: Page, debug: StartMessage['debug']) =>
  page.evaluate((d) => void ((window as unknown as { __probe: Probe }).__probe.startDebug = d), debug);

const warnings = (page: Page) => page.getByRole('list', { name: 'Warnings' });
const checkpointLine = (page: Page) => page.getByTestId('checkpoint-line');
const rowOf = (page: Page, name: string | RegExp) => runsTable(page).getByRole('row').filter({ hasText: name });
const sorted = (r: StoredRun) => [...r.epochs].sort();
const everyEpochOnce = (kinds: string[], epochs: number) => kinds.flatMap((k) => Array.from({ length: epochs }, (_, i) => `${k}${i + 1}`)).sort();

test('the training worker killed mid-epoch: the page notices, the run is interrupted, and Continue goes on from its checkpoint with every epoch once', async ({ page, context }) => {
  test.setTimeout(900_000);
  await probeWorkers(context);
  const errors = watchErrors(page);
  await page.goto('/');
  await loadDemoAndConfigure(page, 4);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(checkpointLine(page)).toContainText('Checkpoint of epoch 2 saved', { timeout: 600_000 });
  // Mid-epoch 3: a few steps into it.
  await page.waitForFunction(() => {
    const s = (window as unknown as { __probe: Probe }).__probe.lastStep;
    return !!s && s.epoch === 2 && s.step >= 3;
  }, undefined, { timeout: 300_000 });
  const killedAt = await probe(page, (p) => {
    const from = p.lastStep!.from;
    p.trainers[from]!.terminate();
    return { step: p.lastStep!, from, posted: p.posted[from]! };
  });
  const t0 = Date.now();

  // The page notices by itself: no message came, the worker's lifeline lock came free.
  const box = page.getByRole('alert').filter({ hasText: 'Training was cut off: its worker is gone' });
  await expect(box).toBeVisible({ timeout: 15_000 });
  const noticedMs = Date.now() - t0;
  await expect(box).toContainText('“Continue run” in the runs list goes on from there');
  await expect(page.getByRole('status').filter({ hasText: 'Stopped by an error' })).toBeVisible();
  const row = rowOf(page, 'images · baseline + DML');
  await expect(row).toContainText('interrupted', { timeout: 15_000 });
  // Killed in the baseline's epoch 3, two epochs are recorded; in DML's, the baseline's third is too, its networks unsaved.
  await expect(row).toContainText(killedAt.step.run === 'baseline' ? '2/4 epochs' : '3/4 epochs · networks saved up to epoch 2');
  console.log(`worker killed at ${killedAt.step.run} epoch ${killedAt.step.epoch + 1} step ${killedAt.step.step + 1}; the page showed it after ${noticedMs} ms`);
  expect(await probe(page, (p) => p.posted)).toHaveProperty(String(killedAt.from), killedAt.posted);
  let stored = await storedRuns(page);
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ status: 'interrupted', lastCheckpoint: 2 });
  await page.getByRole('heading', { name: /Runs/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/faults-worker-killed-1280x720.png` });

  // The data is still loaded: Continue goes on at once, in a new worker.
  await row.getByRole('button', { name: 'Continue run' }).click();
  await expect(page.getByText(/Continued from the checkpoint of epoch 2/)).toBeVisible();
  await expect(page.getByText(/^Finished/)).toBeVisible({ timeout: 600_000 });
  // A new worker trained the rest.
  expect((await probe(page, (p) => p.lastStep!)).from).toBeGreaterThan(killedAt.from);
  stored = await storedRuns(page);
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ status: 'finished', lastCheckpoint: 4 });
  expect(sorted(stored[0]!)).toEqual(everyEpochOnce(['baseline', 'dml'], 4));
  await expect(row).toContainText('finished');
  await expect(row).toContainText('4/4 epochs');
  await expect(page.getByTestId('metric-srcc')).toHaveAttribute('data-epochs', '4');
  expect(errors).toEqual([]);
});

test('the storage quota exceeded mid-run: the warning says what was not kept and what to do, training goes on, and deleting a run makes room', async ({ page, context }) => {
  test.setTimeout(900_000);
  await probeWorkers(context);
  const errors = watchErrors(page);
  await page.goto('/');

  // A first, one-epoch run fills part of the storage; its checkpoint has the size of the next run's.
  await loadDemoAndConfigure(page, 1);
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByText(/^Finished/)).toBeVisible({ timeout: 600_000 });
  const S = Number(await checkpointLine(page).getAttribute('data-bytes'));
  expect(S).toBeGreaterThan(10_000);
  await runsTable(page).getByRole('row').filter({ hasText: 'images · baseline + DML' }).getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('New name', { exact: true }).fill('old run');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(rowOf(page, 'old run')).toContainText('finished');
  const old = (await storedRuns(page))[0]!;
  // Its last and best checkpoints: 2 S.
  expect(old.lastCheckpoint).toBe(1);

  // The limit: the old run's 2 S and the new run's first last + best (2 S) fit; a third of its
  // checkpoints beside them, as a write needs before the old ones go, does not.
  await setStartDebug(page, { storeByteLimit: 4.5 * S });
  await page.getByLabel('Epochs', { exact: true }).fill('5');
  await page.getByRole('button', { name: 'Start' }).click();
  const warning = warnings(page).getByRole('listitem');
  await expect(warning).toHaveCount(1, { timeout: 600_000 });
  // Paused while the storage is full, so the user has time to act (training went on meanwhile).
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Paused' })).toBeVisible();
  await expect(warning).toHaveText(
    new RegExp(
      '^Storage is full: the checkpoints? of epochs? 2( and 3)? \\(networks and optimizer state\\) (was|were) not saved\\. ' +
        'The last checkpoint kept is that of epoch 1: a reload or a crash continues from there\\. ' +
        "(The best networks so far \\(by validation SRCC: [^)]*\\) wait in memory and are written with the next checkpoint that fits\\. )?" +
        "Training goes on; every epoch's metrics are still recorded\\. " +
        'To make room, delete runs you no longer need in the runs list \\(step 5; “Export model” first keeps a run’s networks as a zip\\) or free disk space',
    ),
  );
  console.log(`while full: ${await warning.innerText()}`);
  await page.screenshot({ path: `${SHOTS}/faults-storage-full-1280x720.png`, fullPage: true });

  // The user does what the warning says: deletes the old run. The next checkpoint fits.
  await rowOf(page, 'old run').getByRole('button', { name: 'Delete' }).click();
  await rowOf(page, 'old run').getByRole('button', { name: 'Confirm delete' }).click();
  await expect(rowOf(page, 'old run')).toHaveCount(0);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByText(/^Finished/)).toBeVisible({ timeout: 600_000 });
  // The one warning line was updated, not repeated.
  await expect(warning).toHaveCount(1);
  const text = await warning.innerText();
  console.log(`checkpoint ${S} bytes, limit ${4.5 * S}: ${text}`);
  expect(text).toMatch(/^Storage had room again: the checkpoint of epoch (\d) is saved(, with the best networks so far)?\. The checkpoints? of epochs? [\d, and]+ (was|were) not saved, which no longer matters: a reload continues from epoch \1\.$/);
  expect(text).toMatch(/ of epochs? 2\b/);

  const [run] = await storedRuns(page);
  expect(run).toMatchObject({ status: 'finished', lastCheckpoint: 5, lastRuns: ['baseline', 'dml'] });
  // Every epoch's metrics are stored, each once; the stored best holds each kind at its validation-chosen epoch.
  expect(sorted(run!)).toEqual(everyEpochOnce(['baseline', 'dml'], 5));
  expect(run!.bestEpochs).toEqual({ baseline: run!.selected!.baseline, dml: run!.selected!.dml });
  expect(errors).toEqual([]);
});

/** What a newer studio in another tab does: open the database at the next version (adding a store), then close. */
function upgradeDatabase(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const peek = indexedDB.open('dml-iqa-studio');
        peek.onerror = () => reject(peek.error);
        peek.onsuccess = () => {
          const version = peek.result.version + 1;
          peek.result.close();
          const r = indexedDB.open('dml-iqa-studio', version);
          const timer = setTimeout(() => reject(new Error('the upgrade is blocked: a connection did not close')), 20_000);
          r.onupgradeneeded = () => r.result.createObjectStore(`added-in-v${version}`);
          r.onerror = () => reject(r.error);
          r.onsuccess = () => {
            clearTimeout(timer);
            r.result.close();
            resolve(version);
          };
        };
      }),
  );
}

test('two tabs train at once, each run keeps its own records, and a database upgrade from one tab leaves both storing', async ({ page: a, context }) => {
  test.setTimeout(900_000);
  await probeWorkers(context);
  const b = await context.newPage();
  const errors = [...watchErrors(a), ...watchErrors(b)];
  const tabs = [
    // Epochs enough that neither run can finish before the test has paused it, however fast the machine.
    { page: a, mode: 'baseline' as const, epochs: 16, name: 'images · baseline · tiny 32×32', kinds: ['baseline'] },
    { page: b, mode: 'dml' as const, epochs: 8, name: 'images · dml · tiny 32×32', kinds: ['dml'] },
  ];
  for (const t of tabs) {
    await t.page.bringToFront();
    await t.page.goto('/');
    await loadDemoAndConfigure(t.page, t.epochs, t.mode);
    // One wasm thread each: the two runs share the cores.
    await setStartDebug(t.page, { wasmThreads: 1 });
  }
  for (const t of tabs) {
    await t.page.bringToFront();
    await t.page.getByRole('button', { name: 'Start' }).click();
  }
  // Each run, once it has stored a checkpoint (whichever epoch that is by the time the test looks),
  // waits paused with its database connection open: the upgrade then meets two live runs at a
  // known point, and both must store every later epoch through the reopened connection.
  for (const t of tabs) {
    await expect(checkpointLine(t.page)).toContainText(/Checkpoint of epoch \d+ saved/, { timeout: 600_000 });
    await t.page.getByRole('button', { name: 'Pause' }).click();
    await expect(t.page.getByRole('status').filter({ hasText: 'Paused' })).toBeVisible();
  }

  // Tab B opens the database at a newer version: every connection (both pages, both workers) must let it.
  expect(await upgradeDatabase(b)).toBe(3); // the studio's version 2, plus one
  for (const t of tabs) await t.page.getByRole('button', { name: 'Resume' }).click();

  for (const t of tabs) await expect(t.page.getByText(/^Finished/)).toBeVisible({ timeout: 600_000 });
  // Nothing failed to store after the upgrade.
  for (const t of tabs) await expect(warnings(t.page)).toHaveCount(0);
  const stored = await storedRuns(a);
  expect(stored).toHaveLength(2);
  for (const t of tabs) {
    const mine = stored.filter((r) => r.name === t.name);
    expect(mine, t.name).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 'finished', lastCheckpoint: t.epochs, lastRuns: t.kinds });
    expect(sorted(mine[0]!)).toEqual(everyEpochOnce(t.kinds, t.epochs));
    // Each tab's list shows both runs, finished.
    for (const u of tabs) await expect(rowOf(t.page, u.name)).toContainText('finished');
  }
  // A reload after the upgrade opens the newer database as it is.
  await a.reload();
  for (const u of tabs) await expect(rowOf(a, u.name)).toContainText(`${u.epochs}/${u.epochs} epochs`);
  await a.getByRole('heading', { name: /Runs/ }).scrollIntoViewIfNeeded();
  await a.screenshot({ path: `${SHOTS}/faults-two-tabs-1280x720.png` });
  expect(errors).toEqual([]);
});
