import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The CLI as a user runs it: a real process, real files, exit codes and messages.
const run = promisify(execFile);
const DEMO = join(import.meta.dirname, '..', 'public', 'demo');
const demoRows = readFileSync(join(DEMO, 'mos.csv'), 'utf8').trim().split('\n').slice(1);

async function train(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'src/cli/train.ts', ...args], { cwd: join(import.meta.dirname, '..'), ...(env && { env: { ...process.env, ...env } }) });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

const fast = ['--epochs', '1', '--input', 'resize:32x32'];

/** A folder as KADID-10k ships it: images/ and dmos.csv naming images without a folder (I01_01_01.png). */
function kadidFolder(refs: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'kadid-'));
  mkdirSync(join(dir, 'images'));
  const wanted = new RegExp(`^images/I0[1-${refs}]_`);
  const rows = demoRows.filter((r) => wanted.test(r)).map((r) => {
    const [dist, ref, dmos, v] = r.split(',');
    cpSync(join(DEMO, dist!), join(dir, dist!));
    return [dist!.slice(7), ref!.slice(7), dmos, v].join(',');
  });
  writeFileSync(join(dir, 'dmos.csv'), ['dist_img,ref_img,dmos,var', ...rows].join('\n'));
  return dir;
}

describe('CLI', () => {
  it('trains on a folder in KADID-10k layout, split by reference automatically', async () => {
    const dir = kadidFolder(4);
    const out = join(dir, 'results.json');
    const r = await train(['--images', dir, '--scores', join(dir, 'dmos.csv'), ...fast, '--out', out]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/epoch +1\/1/);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.config.split).toBe('ref');
    const refOf = (f: string) => f.slice(7, 10);
    const trainRefs = new Set(res.split.train.map(refOf));
    expect(res.split.test.length).toBeGreaterThan(0);
    for (const f of res.split.test) expect(trainRefs.has(refOf(f))).toBe(false);
    expect(res.history.map((h: { run: string }) => h.run)).toEqual(['baseline', 'dml']);
    for (const m of [res.final.baseline, res.final.dml.ensemble, ...res.final.dml.peers]) expect(Number.isFinite(m.srcc)).toBe(true);
  });

  it('--images-on-disk streams the images from a temporary file, trains to the same numbers as in memory, and deletes the file', async () => {
    const dir = kadidFolder(4);
    const tmp = mkdtempSync(join(tmpdir(), 'cli-tmp-'));
    const args = ['--images', dir, '--scores', join(dir, 'dmos.csv'), ...fast, '--mode', 'baseline'];
    const disk = await train([...args, '--images-on-disk', '--out', join(dir, 'disk.json')], { TMPDIR: tmp });
    expect(disk.code, disk.out).toBe(0);
    expect(disk.out).toMatch(/Storage: 120 images at 32×32 take under 1 MB decoded: kept on disk in a temporary file \(--images-on-disk\), 512 MB of them in memory at a time\./);
    const memory = await train([...args, '--out', join(dir, 'memory.json')]);
    expect(memory.code, memory.out).toBe(0);
    expect(memory.out).toMatch(/Storage: 120 images at 32×32 take under 1 MB decoded: held in memory/);
    const final = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')).final;
    expect(final('disk.json')).toEqual(final('memory.json'));
    // The store's folder is gone (tsx keeps its own cache in TMPDIR too).
    expect(readdirSync(tmp).filter((f) => f.startsWith('dml-images-'))).toEqual([]);
  });

  it('--images-on-disk: a run killed mid-training leaves no temporary file', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'cli-tmp-'));
    // Node itself runs the CLI (tsx as its loader, not as a parent process), so the kill is the CLI's.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/train.ts', '--images-on-disk', '--epochs', '50', '--input', 'resize:32x32', '--out', join(tmp, 'r.json')], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, TMPDIR: tmp },
    });
    let out = '';
    const training = new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/^epoch +1\/50/m.test(out)) resolve();
      }),
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await Promise.race([training, exited]);
    expect(out).toMatch(/kept on disk in a temporary file/);
    // No handler of its own runs on SIGKILL: the file had left its folder when it was opened.
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(readdirSync(tmp).filter((f) => f.startsWith('dml-images-'))).toEqual([]);
  });

  it('repeats N times, each with its own seed and split, and reports the paired differences with their intervals', async () => {
    const dir = kadidFolder(5);
    const out = join(dir, 'cv.json');
    const r = await train(['--images', dir, '--scores', join(dir, 'dmos.csv'), ...fast, '--splits', '3', '--control', '--out', out]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Over 3 repeats: test SRCC at the validation-chosen epoch, mean ± sample sd/);
    expect(r.out).toMatch(/Paired test SRCC differences over repeats \(validation-chosen epochs\)/);
    expect(r.out).toMatch(/DML ens\. − indep\. pair/);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.repeats).toHaveLength(3);
    expect(new Set(res.repeats.map((x: { seed: number }) => x.seed)).size).toBe(3);
    // Each repeat draws its own test references; train, validation and test never share one.
    const refOf = (f: string) => f.slice(7, 10);
    expect(new Set(res.repeats.map((x: { split: { test: string[] } }) => x.split.test.join())).size).toBeGreaterThan(1);
    for (const { split } of res.repeats as { split: { train: string[]; val: string[]; test: string[] } }[]) {
      const sides = [split.train, split.val, split.test].map((side) => new Set(side.map(refOf)));
      expect(sides[1]!.size).toBeGreaterThan(0);
      for (const [a, b] of [[0, 1], [0, 2], [1, 2]] as const) for (const ref of sides[a]!) expect(sides[b]!.has(ref)).toBe(false);
    }
    type Rep = { final: { selected: { baseline: { test: { srcc: number } }; dml: { ensemble: { test: { srcc: number } } }; control: { ensemble: { test: { srcc: number } } } } } };
    const reps = res.repeats as Rep[];
    expect(res.paired.dml_vs_baseline.perRepeat).toEqual(reps.map((x) => x.final.selected.dml.ensemble.test.srcc - x.final.selected.baseline.test.srcc));
    expect(res.paired.dml_vs_control.perRepeat).toEqual(reps.map((x) => x.final.selected.dml.ensemble.test.srcc - x.final.selected.control.ensemble.test.srcc));
    expect(res.paired.dml_vs_baseline).toMatchObject({ metric: 'srcc', wins: expect.any(Number), ci95: [expect.any(Number), expect.any(Number)] });
    expect(res.final).toEqual(res.repeats[0].final);
  });

  it('sweeps the training size on one validation and test set, and scores a second dataset every epoch', async () => {
    const dir = kadidFolder(6);
    const other = kadidFolder(3);
    // A row whose image is not in the folder: a problem of the cross set, kept in results.json as its.
    writeFileSync(join(other, 'dmos.csv'), `${readFileSync(join(other, 'dmos.csv'), 'utf8')}\nI09_01_01.png,I09.png,3.5,0.1`);
    const out = join(dir, 'sweep.json');
    const r = await train(['--images', dir, '--scores', join(dir, 'dmos.csv'), ...fast, '--mode', 'both', '--repeats', '2', '--train-sizes', '0.5,1', '--cross-images', other, '--cross-scores', join(other, 'dmos.csv'), '--out', out]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Training-size sweep: paired test SRCC differences/);
    expect(r.out).toMatch(/Cross-dataset test \(\d+ images\), SRCC at the last epoch: baseline/);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.sweep.map((s: { trainSize: number }) => s.trainSize)).toEqual([0.5, 1]);
    type Rep = { split: { train: string[]; val: string[]; test: string[] }; history: { cross?: unknown }[] };
    const [half, all] = res.sweep.map((s: { repeats: Rep[] }) => s.repeats) as Rep[][];
    for (let i = 0; i < 2; i++) {
      // The same validation and test images at every size; the smaller training set inside the larger.
      expect(half![i]!.split.test).toEqual(all![i]!.split.test);
      expect(half![i]!.split.val).toEqual(all![i]!.split.val);
      expect(half![i]!.split.train.length).toBeLessThan(all![i]!.split.train.length);
      for (const f of half![i]!.split.train) expect(all![i]!.split.train).toContain(f);
      expect(all![i]!.history.every((e) => e.cross)).toBe(true);
    }
    const csv = readFileSync(join(dir, 'sweep-sweep.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('train_size,train_images_min,train_images_max,comparison,basis,mean,sd,ci95_lo,ci95_hi,wins,repeats');
    expect(csv.filter((l) => l.includes('dml_vs_baseline'))).toHaveLength(2);
    expect(res.final.cross.dml.ensemble.n).toBeGreaterThan(0);
    expect(res.cross).toMatchObject({ images: other, scores: join(other, 'dmos.csv'), imageCount: res.final.cross.dml.ensemble.n });
    const crossProblems = res.problems.filter((p: { set?: string }) => p.set === 'cross');
    expect(crossProblems.map((p: { message: string }) => p.message).join(' ')).toContain('I09_01_01.png');
    expect(res.problems.filter((p: { set?: string; message: string }) => p.set !== 'cross' && p.message.includes('I09_01_01.png'))).toEqual([]);
  });

  it('trains from a KonIQ-style CSV and honours its official split', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koniq-'));
    mkdirSync(join(dir, '1024x768'));
    const lines = demoRows.slice(0, 60).map((r, i) => {
      const [dist, , dmos] = r.split(',');
      const name = `${1000 + i}.png`;
      cpSync(join(DEMO, dist!), join(dir, '1024x768', name));
      const mos = (Number(dmos) * 20).toFixed(3); // KonIQ's MOS is on 0–100
      return `${name},0,0,0,0,0,100,${mos},0.5,${i % 4 === 0 ? 'test' : i % 4 === 1 ? 'validation' : 'training'}`;
    });
    writeFileSync(join(dir, 'koniq10k_distributions_sets.csv'), ['image_name,c1,c2,c3,c4,c5,c_total,MOS,SD,set', ...lines].join('\n'));
    const out = join(dir, 'r.json');
    const r = await train(['--images', dir, '--scores', join(dir, 'koniq10k_distributions_sets.csv'), '--mode', 'dml', ...fast, '--out', out]);
    expect(r.code, r.out).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.config.split).toBe('official');
    expect(res.split.train).toHaveLength(30);
    expect(res.split.val).toHaveLength(15); // the file's own validation rows
    expect(res.split.test).toHaveLength(15);
    expect(res.final.selected.dml.ensemble.epoch).toBe(1);
    expect(res.final.baseline).toBeUndefined();
    expect(res.final.dml.peers).toHaveLength(2);
  });

  it('bad input: clear messages, no stack trace, non-zero exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-'));
    writeFileSync(join(dir, 'scores.csv'), 'a,b\nx,y\n');
    const empty = mkdtempSync(join(tmpdir(), 'empty-'));
    const cases: [string[], RegExp][] = [
      [['--images', empty, '--scores', join(dir, 'scores.csv')], /image folder .* is empty/],
      [['--images', DEMO, '--scores', join(dir, 'nope.csv')], /Cannot read the score file .*nope\.csv/],
      [['--images', DEMO, '--scores', join(dir, 'scores.csv')], /scores\.csv/],
      [['--epochs', 'many'], /--epochs needs a number/],
      [['--images', DEMO], /Give both --images DIR and --scores FILE/],
    ];
    for (const [args, msg] of cases) {
      const r = await train(args);
      expect(r.code, r.out).not.toBe(0);
      expect(r.out).toMatch(msg);
      expect(r.out).not.toMatch(/\n\s+at .*\.ts:\d+/); // no stack trace
    }
  });
});
