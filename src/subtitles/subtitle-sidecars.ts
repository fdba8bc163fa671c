/**
 * Writes the subtitle files a job asked for (EditingConfig `subtitles`) beside its audio:
 * `dir/name.mp3` gets `dir/name.srt`, `dir/name.vtt`, `dir/name.json`.
 */
import { writeFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStorage } from '../storage/storage.types.js';
import { contentTypeForKey } from '../storage/object-key.models.js';
import type { SidecarWriter } from '../worker/worker.js';
import { buildCues, DEFAULT_CUE_OPTIONS, heardSentences } from './subtitle-cues.models.js';
import { toSrt, toVtt } from './subtitle-formats.models.js';


export function sidecarBaseKey(audioKey: string): string {
  const slash = audioKey.lastIndexOf('/');
  const dot = audioKey.lastIndexOf('.');
  return dot > slash + 1 ? audioKey.slice(0, dot) : audioKey;
}

export function createSubtitleWriter({ storage, tmpDir, newId }: { storage: ObjectStorage; tmpDir: string; newId: () => string }): SidecarWriter {
  return async ({ job, editing, result, audioKey }) => {
    const formats = editing.subtitles ?? [];
    if (formats.length === 0) return [];
    const cues = buildCues(heardSentences(result), { ...DEFAULT_CUE_OPTIONS, endMs: result.durationMs });
    const base = sidecarBaseKey(audioKey);
    const written: string[] = [];
    await mkdir(tmpDir, { recursive: true });
    for (const format of formats) {
      const body =
        format === 'srt'
          ? toSrt(cues)
          : format === 'vtt'
            ? toVtt(cues)
            : JSON.stringify({ duration_ms: result.durationMs, sentences: result.timings, cues }, null, 2);
      const file = path.join(tmpDir, `${job.id}-${newId()}.${format}`);
      await writeFile(file, body);
      const key = `${base}.${format}`;
      try {
        await storage.putObject({ bucket: job.outputBucket, key, sourcePath: file, contentType: contentTypeForKey(key), overwrite: true });
      } finally {
        await rm(file, { force: true });
      }
      written.push(key);
    }
    return written;
  };
}
