/**
 * Ogg page framing (RFC 3533): the container around Ogg Opus. This is only the container — the
 * codec is libopus. Packets go in whole, with their granule position; pages come out with
 * lacing values, sequence numbers, BOS/EOS flags and the page CRC.
 */
import { concatBytes } from './bytes.models.js';

/** CRC-32 as Ogg uses it: polynomial 0x04C11DB7, initial value 0, no bit reflection, no final xor. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

export function oggCrc32(bytes: Uint8Array, crc = 0): number {
  let c = crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = ((c << 8) ^ CRC_TABLE[((c >>> 24) ^ bytes[i]) & 0xff]) >>> 0;
  return c;
}

/** Header type flags (RFC 3533 §6). */
export const OGG_CONTINUED = 0x01;
export const OGG_BOS = 0x02;
export const OGG_EOS = 0x04;

/** At most 255 lacing values per page, each up to 255 bytes. */
const MAX_SEGMENTS = 255;
const HEADER_BYTES = 27;

/** Lacing values for one packet: 255 for each full 255-byte run, then the remainder (0 when it divides evenly). */
export function lacingValues(packetLength: number): number[] {
  const values = new Array<number>(Math.floor(packetLength / 255)).fill(255);
  values.push(packetLength % 255);
  return values;
}

/**
 * One page from whole packets. `granule` is the codec's position after the last packet on the page
 * (−1, all ones, when no packet ends here; this writer never splits packets, so that does not occur).
 */
export function buildOggPage({
  packets,
  granule,
  serial,
  sequence,
  flags = 0,
}: {
  packets: readonly Uint8Array[];
  granule: bigint;
  serial: number;
  sequence: number;
  flags?: number;
}): Uint8Array {
  const lacing = packets.flatMap((packet) => lacingValues(packet.length));
  if (lacing.length > MAX_SEGMENTS) throw new RangeError(`an Ogg page holds at most ${MAX_SEGMENTS} lacing values, not ${lacing.length}`);
  const bodyBytes = packets.reduce((sum, packet) => sum + packet.length, 0);
  const page = new Uint8Array(HEADER_BYTES + lacing.length + bodyBytes);
  const view = new DataView(page.buffer);
  page.set([0x4f, 0x67, 0x67, 0x53]); // "OggS"
  page[4] = 0; // stream structure version
  page[5] = flags;
  view.setBigInt64(6, granule, true);
  view.setUint32(14, serial >>> 0, true);
  view.setUint32(18, sequence >>> 0, true);
  // CRC field (22..25) stays zero while the CRC is computed, as the spec requires.
  page[26] = lacing.length;
  page.set(lacing, HEADER_BYTES);
  let offset = HEADER_BYTES + lacing.length;
  for (const packet of packets) {
    page.set(packet, offset);
    offset += packet.length;
  }
  view.setUint32(22, oggCrc32(page), true);
  return page;
}

/**
 * A logical Ogg stream: add packets with their end granule, take out finished pages. Pages are cut
 * when the next packet would not fit the 255 lacing values, or when the caller flushes (Ogg Opus
 * needs each header packet on a page of its own, and a streaming server flushes to send promptly).
 */
export function createOggStream({ serial }: { serial: number }) {
  let sequence = 0;
  let pending: Uint8Array[] = [];
  let pendingSegments = 0;
  let pendingGranule = 0n;
  let started = false;
  let ended = false;
  const ready: Uint8Array[] = [];

  function cut(eos: boolean) {
    if (pending.length === 0 && !eos) return;
    const flags = (started ? 0 : OGG_BOS) | (eos ? OGG_EOS : 0);
    ready.push(buildOggPage({ packets: pending, granule: pendingGranule, serial, sequence, flags }));
    sequence += 1;
    started = true;
    pending = [];
    pendingSegments = 0;
  }

  return {
    /** Queues one packet; `granule` is the stream position once this packet is decoded. */
    addPacket(packet: Uint8Array, granule: bigint) {
      if (ended) throw new Error('the Ogg stream has ended');
      const segments = lacingValues(packet.length).length;
      if (segments > MAX_SEGMENTS) throw new RangeError(`packet of ${packet.length} bytes is larger than one Ogg page holds`);
      if (pendingSegments + segments > MAX_SEGMENTS) cut(false);
      pending.push(packet);
      pendingSegments += segments;
      pendingGranule = granule;
    },
    /** Packets queued but not yet on a page. */
    get pendingPackets() {
      return pending.length;
    },
    /** Closes the current page (if it has packets). */
    flush() {
      cut(false);
    },
    /** Closes the stream: the last page carries EOS and, when given, this final granule (end trimming). */
    end(finalGranule?: bigint) {
      if (ended) return;
      if (finalGranule !== undefined) pendingGranule = finalGranule;
      cut(true);
      ended = true;
    },
    /** Finished pages since the last call, joined. */
    take(): Uint8Array {
      return concatBytes(ready.splice(0, ready.length));
    },
  };
}

export type OggStream = ReturnType<typeof createOggStream>;

/** One page as read back (for checking a stream; Narrate never reads Ogg in production). */
export interface ReadOggPage {
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  /** Whether the stored CRC matches the page. */
  crcOk: boolean;
  lacing: number[];
  /** Packets that end on this page (a packet continued from the previous page is joined). */
  packets: Uint8Array[];
}

/** Splits an Ogg byte stream into pages and packets; throws on a missing capture pattern or a cut page. */
export function readOggPages(bytes: Uint8Array): ReadOggPage[] {
  const pages: ReadOggPage[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  let partial: Uint8Array[] = [];
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER_BYTES || String.fromCharCode(...bytes.subarray(offset, offset + 4)) !== 'OggS') {
      throw new Error(`no Ogg page at byte ${offset}`);
    }
    const count = bytes[offset + 26];
    const lacing = Array.from(bytes.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + count));
    const length = HEADER_BYTES + count + lacing.reduce((sum, value) => sum + value, 0);
    if (offset + length > bytes.length) throw new Error(`Ogg page at byte ${offset} is cut short`);
    const page = bytes.slice(offset, offset + length);
    const stored = view.getUint32(offset + 22, true);
    page.fill(0, 22, 26);
    const packets: Uint8Array[] = [];
    let body = offset + HEADER_BYTES + count;
    for (const value of lacing) {
      partial.push(bytes.subarray(body, body + value));
      body += value;
      if (value < 255) {
        packets.push(concatBytes(partial).slice());
        partial = [];
      }
    }
    pages.push({
      flags: bytes[offset + 5],
      granule: view.getBigInt64(offset + 6, true),
      serial: view.getUint32(offset + 14, true),
      sequence: view.getUint32(offset + 18, true),
      crcOk: oggCrc32(page) === stored,
      lacing,
      packets,
    });
    offset += length;
  }
  return pages;
}
