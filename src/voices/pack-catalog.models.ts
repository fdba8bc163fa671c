/**
 * The catalog of known sherpa-onnx voice packs (pack-catalog.json), with download URLs built from
 * the catalog's base URL or a mirror, so users behind a mirror and tests with a local server can
 * point every pack at another host.
 */
import { errors } from '../shared/errors.js';
import packData from './pack-catalog.json' with { type: 'json' };
import type { PackCatalogEntry } from './voices.types.js';

export interface PackCatalog {
  /** The base URL the URLs were built from (the mirror when one was given). */
  baseUrl: string;
  packs: PackCatalogEntry[];
  /** The entry with this name (case-insensitive), or undefined. */
  find(name: string): PackCatalogEntry | undefined;
  /** URL of a file under the base URL (`vocoder-models/x.onnx`). */
  urlOf(path: string): string;
}

/** A pack name is a single safe path segment: it becomes a folder name under the voices directory. */
export const PACK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const SHA256_PATTERN = /^[0-9a-f]{64}$/;

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * Why `mirror` cannot replace the download host, or null when it can. Pack paths are appended to it
 * as text, so it must be an absolute http(s) URL without a query or fragment; anything else would
 * only fail later as an obscure fetch error (or, for a bare word, look like a missing checksum).
 */
export function mirrorProblem(mirror: string): string | null {
  let url: URL;
  try {
    url = new URL(mirror);
  } catch {
    return 'it must be an absolute http(s) URL, like https://mirror.example/sherpa-onnx';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `it must be an http(s) URL, not ${url.protocol}`;
  if (url.search || url.hash) return 'it must not have a query or fragment (pack paths are appended to it)';
  return null;
}

/**
 * Loads the pack catalog. `mirror` replaces the base URL
 * (`https://github.com/k2-fsa/sherpa-onnx/releases/download`), keeping each pack's path; a mirror
 * that is not an absolute http(s) URL is an InvalidParameter AppError.
 */
export function loadPackCatalog(options: { mirror?: string; data?: unknown } = {}): PackCatalog {
  if (options.mirror !== undefined) {
    const problem = mirrorProblem(options.mirror);
    if (problem) throw errors.invalidParameter('mirror', problem);
  }
  const data = (options.data ?? packData) as { baseUrl?: unknown; packs?: unknown };
  if (typeof data.baseUrl !== 'string' || !Array.isArray(data.packs)) {
    throw new Error('pack catalog: needs "baseUrl" and a "packs" list');
  }
  const baseUrl = options.mirror ?? data.baseUrl;
  const packs = (data.packs as Array<Omit<PackCatalogEntry, 'url'>>).map((p, i) => {
    if (typeof p.name !== 'string' || !PACK_NAME_PATTERN.test(p.name)) throw new Error(`pack catalog: entry ${i} has no valid name`);
    if (typeof p.path !== 'string' || !p.path.endsWith('.tar.bz2')) throw new Error(`pack catalog: ${p.name}: path must name a .tar.bz2`);
    if (p.sha256 !== null && !SHA256_PATTERN.test(String(p.sha256))) throw new Error(`pack catalog: ${p.name}: sha256 must be 64 lower-case hex digits or null`);
    for (const extra of p.extras ?? []) {
      if (!PACK_NAME_PATTERN.test(extra.file)) throw new Error(`pack catalog: ${p.name}: extra file name "${extra.file}" is not a plain file name`);
      if (extra.sha256 !== null && !SHA256_PATTERN.test(String(extra.sha256))) throw new Error(`pack catalog: ${p.name}: extra sha256 must be hex or null`);
    }
    return { ...p, url: joinUrl(baseUrl, p.path) } as PackCatalogEntry;
  });
  return {
    baseUrl,
    packs,
    find: (name) => packs.find((p) => p.name.toLowerCase() === name.toLowerCase()),
    urlOf: (path) => joinUrl(baseUrl, path),
  };
}
