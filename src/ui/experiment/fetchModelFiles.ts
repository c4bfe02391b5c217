/**
 * A TF.js model's files from a URL, fetched by the page: model.json, then every weight file
 * its manifest names, relative to it. The browser only lets the page read this site's files
 * and those of servers that allow cross-origin requests (CORS).
 */
import type { ModelFile } from '../../worker/protocol';

export async function fetchModelFiles(address: string, base = window.location.href): Promise<ModelFile[]> {
  let url: URL;
  try {
    url = new URL(address.trim(), base);
  } catch {
    throw new Error(`"${address}" is not a web address: give the URL of a model.json, e.g. https://example.org/model/model.json.`);
  }
  const get = async (u: URL, what: string): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(u);
    } catch (e) {
      throw new Error(
        `${what} could not be fetched from ${u.href} (${(e as Error).message}). The browser reads only this site's files and those of servers that allow cross-origin requests (CORS); otherwise download the files and pick them instead.`,
      );
    }
    if (!res.ok) throw new Error(`${what} at ${u.href} answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}: check the address.`);
    // Many servers answer a file they do not have with their home page.
    if (/^text\/html\b/i.test(res.headers.get('content-type') ?? ''))
      throw new Error(`${what} at ${u.href} answered with a web page, not the file: the server probably has no such file. Check the address.`);
    return res;
  };
  const text = await (await get(url, 'model.json')).text();
  // The worker must find model.json by its extension; the weights by the names the manifest gives.
  const jsonName = /\.json$/i.test(url.pathname) ? url.pathname.split('/').pop()! : 'model.json';
  const files: ModelFile[] = [{ name: jsonName, file: new Blob([text], { type: 'application/json' }) }];
  let paths: string[] = [];
  try {
    const manifest = (JSON.parse(text) as { weightsManifest?: { paths?: unknown }[] }).weightsManifest;
    if (Array.isArray(manifest)) paths = manifest.flatMap((g) => (Array.isArray(g?.paths) ? g.paths.filter((p): p is string => typeof p === 'string') : []));
  } catch {
    // Not JSON: the worker's check says so, naming the file.
  }
  for (const p of new Set(paths)) {
    const res = await get(new URL(p, url), `The weight file ${p}`);
    files.push({ name: p.split('/').pop()!, file: await res.blob() });
  }
  return files;
}

/** Files from the picker as the worker takes them (names only: the manifest names its weight files without folders). */
export function modelFilesFromPicker(list: readonly File[]): ModelFile[] {
  return list.map((f) => ({ name: f.name, file: f }));
}
