/**
 * The pretrained bodies the experiment can use, as the page knows them: the built-in
 * MobileNetV2's layer list (read once, when first chosen) and the user's own backbone (its
 * files, from the picker or a URL, and its layer list). The tasks worker reads the files and
 * checks them as training will; the page keeps the files to send with the start message.
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import type { BackboneInspection, ModelFile } from '../../worker/protocol';
import type { RunTask } from '../runs/useTasks';
import { fetchModelFiles, modelFilesFromPicker } from './fetchModelFiles';

export interface UserBackbone {
  files: ModelFile[];
  inspection: BackboneInspection;
  /** Where it came from, in words: the files picked or the URL. */
  source: string;
}

export interface BackboneState {
  builtin: BackboneInspection | null;
  user: UserBackbone | null;
  /** What is being read now, in words. */
  busy: string | null;
  /** Why the last backbone could not be used (the earlier one, if any, stays). */
  error: string | null;
}

export interface Backbones {
  state: BackboneState;
  /** Reads the built-in MobileNetV2's layers, once. */
  loadBuiltin(): void;
  /** The user's files or URL; resolves to the new backbone's inspection, or null when it was refused. */
  pickFiles(list: readonly File[]): Promise<BackboneInspection | null>;
  fetchUrl(url: string): Promise<BackboneInspection | null>;
}

const BUILTIN_JSON = `${import.meta.env.BASE_URL}models/mobilenetv2/model.json`;

export function useBackbone(task: RunTask): Backbones {
  const [state, setState] = useState<BackboneState>({ builtin: null, user: null, busy: null, error: null });
  const builtinAsked = useRef(false);

  const inspect = useCallback(async (files: ModelFile[]) => {
    const r = await task({ task: 'inspectBackbone', files });
    const { task: _t, ...inspection } = r;
    return inspection;
  }, [task]);

  const loadUser = useCallback(
    async (busy: string, source: string, read: () => Promise<ModelFile[]>): Promise<BackboneInspection | null> => {
      setState((s) => ({ ...s, busy, error: null }));
      try {
        const files = await read();
        const inspection = await inspect(files);
        setState((s) => ({ ...s, busy: null, user: { files, inspection, source } }));
        return inspection;
      } catch (e) {
        setState((s) => ({ ...s, busy: null, error: (e as Error).message }));
        return null;
      }
    },
    [inspect],
  );

  const loadBuiltin = useCallback(() => {
    if (builtinAsked.current) return;
    builtinAsked.current = true;
    void (async () => {
      try {
        const builtin = await inspect(await fetchModelFiles(BUILTIN_JSON));
        setState((s) => ({ ...s, builtin }));
      } catch (e) {
        builtinAsked.current = false;
        setState((s) => ({ ...s, error: `The built-in MobileNetV2 could not be read: ${(e as Error).message}` }));
      }
    })();
  }, [inspect]);

  const pickFiles = useCallback(
    (list: readonly File[]) =>
      loadUser(
        `Reading ${list.length} file${list.length === 1 ? '' : 's'}…`,
        list.map((f) => f.name).join(', '),
        async () => modelFilesFromPicker(list),
      ),
    [loadUser],
  );
  const fetchUrl = useCallback((url: string) => loadUser(`Fetching ${url}…`, url, () => fetchModelFiles(url)), [loadUser]);

  return useMemo(() => ({ state, loadBuiltin, pickFiles, fetchUrl }), [state, loadBuiltin, pickFiles, fetchUrl]);
}
