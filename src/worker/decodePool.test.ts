/**
 * The decode pool with fake workers: one that dies (with an error, or silently as an
 * out-of-memory kill does) must not hang ingest; its files go to the others, and once every
 * worker is gone this thread decodes the rest.
 */
import { describe, expect, it } from 'vitest';
import { loadImages, type ImageDecoder } from '../core/data/loadImages';
import type { LabelledItem } from '../core/data/types';
import { decodePool, type DecodeReply, type DecodeRequest } from './decodePool';

type Fate = 'ok' | 'error' | 'silent';

/** A fake decode worker: answers each file with bytes of its own mark, until its fate says it dies. */
class FakeWorker {
  onmessage: ((e: MessageEvent<DecodeReply>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  received = 0;
  terminated = false;
  /** Files it had got when it was ended. */
  receivedAtEnd = -1;
  constructor(
    readonly mark: number,
    /** What happens to the nth file this worker gets (1-based). */
    readonly fate: (n: number) => Fate,
  ) {}
  postMessage(r: DecodeRequest): void {
    const n = ++this.received;
    const f = this.fate(n);
    setTimeout(() => {
      if (this.terminated || f === 'silent') return;
      if (f === 'error') {
        this.onerror?.({ message: 'crashed', preventDefault() {} } as ErrorEvent);
        return;
      }
      this.onmessage?.({ data: { id: r.id, ok: true, data: new Uint8Array(r.width * r.height * 3).fill(this.mark) } } as MessageEvent<DecodeReply>);
    }, 1);
  }
  terminate(): void {
    if (!this.terminated) this.receivedAtEnd = this.received;
    this.terminated = true;
  }
}

const N = 40;
const items: LabelledItem[] = Array.from({ length: N }, (_, i) => ({ file: `img/${i}.png`, mos: i, line: i + 2 }));
const files = new Map(items.map((it) => [it.file, new Blob([new Uint8Array(10)])]));
const HERE = 200; // the in-thread decoder's mark

function pool(fates: ((n: number) => Fate)[], timeoutMs = 60_000) {
  const made: FakeWorker[] = [];
  let inThread = 0;
  const fallback = (): ImageDecoder => async (_f, w, h) => (inThread++, { width: w, height: h, data: new Uint8Array(w * h * 3).fill(HERE) });
  const p = decodePool(files, fates.length, (i) => (made.push(new FakeWorker(i + 1, fates[i]!)), made.at(-1) as unknown as Worker), { timeoutMs, fallback });
  return { p, made, inThread: () => inThread };
}

/** loadImages over the pool, or 'hung' when it has not finished in time. */
async function ingest(p: ReturnType<typeof decodePool>, ms = 3000) {
  const run = loadImages(items, 2, 2, p.decoder, undefined, p.concurrency);
  const hung = new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms));
  return Promise.race([run, hung]);
}

describe('decodePool', () => {
  it('a worker that errors after its first file leaves the rotation; its files decode elsewhere and ingest finishes', async () => {
    const { p, made } = pool([(n) => (n === 1 ? 'ok' : 'error'), () => 'ok', () => 'ok']);
    const out = await ingest(p);
    expect(out).not.toBe('hung');
    if (out === 'hung') return;
    expect(out.problems).toEqual([]);
    expect(out.items.length).toBe(N);
    // The dead worker was ended and got nothing after.
    expect(made[0]!.terminated).toBe(true);
    expect(made[0]!.received).toBe(made[0]!.receivedAtEnd);
    p.close();
  });

  it('a worker killed without any error (out of memory) is taken for dead after the timeout, and its file is decoded by another', async () => {
    const { p, made } = pool([(n) => (n === 1 ? 'ok' : 'silent'), () => 'ok'], 50);
    const out = await ingest(p);
    expect(out).not.toBe('hung');
    if (out === 'hung') return;
    expect(out.problems).toEqual([]);
    expect(out.items.length).toBe(N);
    expect(made[0]!.terminated).toBe(true);
    expect(made[0]!.received).toBe(made[0]!.receivedAtEnd);
    p.close();
  });

  it('when every worker has died this thread decodes the rest; the files held by the last one are problems naming them', async () => {
    const { p, inThread } = pool([(n) => (n <= 2 ? 'ok' : 'error'), (n) => (n <= 3 ? 'ok' : 'silent')], 50);
    const out = await ingest(p);
    expect(out).not.toBe('hung');
    if (out === 'hung') return;
    expect(out.problems.length).toBeGreaterThan(0);
    expect(out.problems.length).toBeLessThanOrEqual(4);
    for (const q of out.problems) expect(q.message).toMatch(new RegExp(`^${q.file} .*no other decoder is left`));
    expect(out.items.length + out.problems.length).toBe(N);
    expect(inThread()).toBeGreaterThan(N - 10);
    expect(out.store.image(N - 1).data[0]).toBe(HERE);
    p.close();
  });

  it('a file that kills two workers is reported as a problem naming it, and the rest decode', async () => {
    // Every worker dies on the file img/7.png.
    const made: FakeWorker[] = [];
    const fileOf = new Map<number, string>();
    const p = decodePool(
      files,
      3,
      (i) => {
        const w = new FakeWorker(i + 1, () => 'ok');
        const post = w.postMessage.bind(w);
        w.postMessage = (r: DecodeRequest) => {
          if (fileOf.get(r.id) === 'img/7.png') {
            w.received++;
            setTimeout(() => w.onerror?.({ message: 'crashed', preventDefault() {} } as ErrorEvent), 1);
          } else post(r);
        };
        made.push(w);
        return w as unknown as Worker;
      },
      { fallback: () => async (_f, w, h) => ({ width: w, height: h, data: new Uint8Array(w * h * 3) }) },
    );
    // The fake learns which id carries which file from the order of calls.
    let id = 0;
    const decoder: ImageDecoder = (f, w, h) => (fileOf.set(++id, f), p.decoder(f, w, h));
    const out = await Promise.race([loadImages(items, 2, 2, decoder, undefined, p.concurrency), new Promise<'hung'>((r) => setTimeout(() => r('hung'), 3000))]);
    expect(out).not.toBe('hung');
    if (out === 'hung') return;
    expect(out.problems.map((q) => q.file)).toEqual(['img/7.png']);
    expect(out.problems[0]!.message).toMatch(/img\/7\.png .*decoder stopped/);
    expect(out.items.length).toBe(N - 1);
    expect(made.filter((w) => w.terminated).length).toBe(2);
    p.close();
  });
});
