/**
 * The memory budget before Start: what the run needs (images at storage size, one training
 * step, the networks, the feature cache) against what this device lets the tab use, and
 * whether the images are held in memory or streamed from disk. The worker decides with the
 * same function and reports what it chose in the run panel.
 */
import { useEffect, useMemo, useState } from 'react';
import { deviceAllowance, formatMB, memoryBudget, type DeviceAllowance } from '../../core/data/memoryBudget';
import type { LabelledItem } from '../../core/data/types';
import { budgetInput, modelFootprint, type BodyLayers } from '../../core/models/footprint';
import type { TrainConfig } from '../../core/train/config';
import type { DatasetFile, MemoryHints } from '../../worker/protocol';
import { diskFree } from '../../worker/opfsPages';

/** Test hook: `?memory-limit-mb=N` in the address makes the budget (page and worker) pretend the tab may use N MB. */
export function testMemoryLimit(search = window.location.search): number | undefined {
  const v = Number(new URLSearchParams(search).get('memory-limit-mb'));
  return Number.isFinite(v) && v > 0 ? v * 2 ** 20 : undefined;
}

let lastInUse: number | undefined;

/** What the device allows, measured once on mount: navigator.deviceMemory, the site's disk, the page's own memory where the browser can say. */
export function useDeviceAllowance(): DeviceAllowance {
  const [allowance, setAllowance] = useState<DeviceAllowance>(() => pageAllowance({}));
  useEffect(() => {
    let live = true;
    void (async () => {
      // The worker measures the disk with the same function (undefined: no estimate, room unknown).
      const free = await diskFree();
      if (live) setAllowance(pageAllowance({ diskFree: free, inUse: lastInUse }));
      // Resolves after the browser's next garbage collection (seconds): the page's and its workers' bytes.
      const measure = (performance as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
      if (typeof measure === 'function' && window.crossOriginIsolated) {
        try {
          lastInUse = (await measure.call(performance)).bytes;
          if (live) setAllowance(pageAllowance({ diskFree: free, inUse: lastInUse }));
        } catch {
          // Not allowed here: the default share stands.
        }
      }
    })();
    return () => void (live = false);
  }, []);
  return allowance;
}

function pageAllowance(o: { diskFree?: number; inUse?: number }): DeviceAllowance {
  const a = deviceAllowance({
    deviceMemoryGB: (navigator as { deviceMemory?: number }).deviceMemory,
    // Workers get synchronous file access wherever the page has the private file system.
    disk: typeof navigator.storage?.getDirectory === 'function',
    ...o,
  });
  const limit = testMemoryLimit();
  return limit === undefined ? a : { ...a, bytes: limit, source: `a test's limit of ${Math.round(limit / 2 ** 20)} MB`, inUse: undefined };
}

/** What the page sends the worker for its budget: the network's footprint from the layer list it holds, its own memory use, the test limit. */
export function memoryHints(config: TrainConfig, body: BodyLayers | null): MemoryHints {
  const deviceBytes = testMemoryLimit();
  return { footprint: modelFootprint(config, body), ...(lastInUse !== undefined && { inUse: lastInUse }), ...(deviceBytes !== undefined && { deviceBytes }) };
}

export function MemoryBudgetLine({
  config,
  items,
  files,
  body,
}: {
  config: TrainConfig;
  items: readonly LabelledItem[] | null;
  files: readonly DatasetFile[] | undefined;
  body: BodyLayers | null;
}) {
  const allowance = useDeviceAllowance();
  // The files the rows point to: their total size is shown beside the decoded size.
  const fileBytes = useMemo(() => {
    if (!items || !files) return 0;
    const wanted = new Set(items.map((it) => it.file));
    return files.reduce((s, f) => s + (wanted.has(f.path) ? f.file.size : 0), 0);
  }, [items, files]);
  const count = items?.length ?? 0;
  if (count === 0) return null;
  const b = memoryBudget(budgetInput(config, count, modelFootprint(config, body), fileBytes), allowance);
  const words = b.mode === 'memory' ? 'images in memory' : 'images streamed from disk';
  return (
    <p className={b.fits ? 'hint' : 'warning-inline'} data-testid="memory-budget" data-mode={b.mode} data-fits={String(b.fits)}>
      <strong>Memory: {b.fits ? words : `does not fit (${words})`}.</strong> {b.why}
      {fileBytes > 0 && ` The files take ${formatMB(fileBytes)}.`}
      {b.advice.length > 0 && ` What would fit: ${b.advice.join('; or ')}.`}
    </p>
  );
}
