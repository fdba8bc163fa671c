import { describe, expect, it } from 'vitest';
import { buildOggPage, createOggStream, lacingValues, OGG_BOS, OGG_EOS, oggCrc32, readOggPages } from './ogg-page.models.js';

/** The first page opusenc (opus-tools 0.2, --serial 1) wrote for a 24 kHz mono file: an independent CRC vector. */
const OPUSENC_FIRST_PAGE = Buffer.from('4f6767530002000000000000000001000000000000005de9810a01134f7075734865616401013801c05d0000000000', 'hex');

const bytes = (length: number, fill = 0) => new Uint8Array(length).fill(fill);

describe('Ogg CRC-32', () => {
  it('gives the check value of the non-reflected 0x04C11DB7 CRC with zero init and no final xor', () => {
    expect(oggCrc32(new TextEncoder().encode('123456789'))).toBe(0x89a1897f);
    expect(oggCrc32(new Uint8Array(0))).toBe(0);
  });

  it('matches the CRC opusenc stored in a real page, and a rebuilt page is byte-identical', () => {
    const page = new Uint8Array(OPUSENC_FIRST_PAGE);
    const stored = new DataView(page.buffer).getUint32(22, true);
    page.fill(0, 22, 26);
    expect(oggCrc32(page)).toBe(stored);

    const head = OPUSENC_FIRST_PAGE.subarray(28);
    const rebuilt = buildOggPage({ packets: [head], granule: 0n, serial: 1, sequence: 0, flags: OGG_BOS });
    expect(Buffer.from(rebuilt).equals(OPUSENC_FIRST_PAGE)).toBe(true);
  });

  it('is chainable: a CRC over two parts equals the CRC over the whole', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);
    expect(oggCrc32(data.subarray(300), oggCrc32(data.subarray(0, 300)))).toBe(oggCrc32(data));
  });
});

describe('lacing', () => {
  it('splits packets into 255-byte runs and ends with a value below 255', () => {
    expect(lacingValues(0)).toEqual([0]);
    expect(lacingValues(1)).toEqual([1]);
    expect(lacingValues(254)).toEqual([254]);
    // A packet of exactly 255 bytes needs a terminating 0, or it would run into the next packet.
    expect(lacingValues(255)).toEqual([255, 0]);
    expect(lacingValues(600)).toEqual([255, 255, 90]);
    expect(lacingValues(510)).toEqual([255, 255, 0]);
  });

  it('writes the lacing table and packets so that they read back unchanged', () => {
    const packets = [bytes(255, 1), bytes(600, 2), bytes(0), bytes(17, 3)];
    const page = buildOggPage({ packets, granule: 1234n, serial: 0xdeadbeef, sequence: 7 });
    const [read] = readOggPages(page);
    expect(read.lacing).toEqual([255, 0, 255, 255, 90, 0, 17]);
    expect(read.packets.map((p) => p.length)).toEqual([255, 600, 0, 17]);
    expect(read.packets[1].every((b) => b === 2)).toBe(true);
    expect(read).toMatchObject({ granule: 1234n, serial: 0xdeadbeef, sequence: 7, crcOk: true, flags: 0 });
    expect(page.length).toBe(27 + 7 + 255 + 600 + 17);
  });

  it('refuses more than 255 lacing values on one page', () => {
    expect(() => buildOggPage({ packets: [bytes(255 * 255)], granule: 0n, serial: 1, sequence: 0 })).toThrow(RangeError);
  });

  it('notices a corrupted byte through the CRC', () => {
    const page = buildOggPage({ packets: [bytes(40, 9)], granule: 0n, serial: 1, sequence: 0 });
    page[35] ^= 1;
    expect(readOggPages(page)[0].crcOk).toBe(false);
  });
});

describe('createOggStream', () => {
  it('sets BOS on the first page only, EOS on the last only, and numbers pages in order', () => {
    const ogg = createOggStream({ serial: 42 });
    ogg.addPacket(bytes(19), 0n);
    ogg.flush();
    ogg.addPacket(bytes(30), 0n);
    ogg.flush();
    ogg.addPacket(bytes(100), 960n);
    ogg.addPacket(bytes(100), 1920n);
    ogg.flush();
    ogg.addPacket(bytes(100), 2880n);
    ogg.end(2500n);
    const pages = readOggPages(ogg.take());
    expect(pages.map((p) => p.sequence)).toEqual([0, 1, 2, 3]);
    expect(pages.map((p) => p.flags)).toEqual([OGG_BOS, 0, 0, OGG_EOS]);
    expect(pages.every((p) => p.serial === 42 && p.crcOk)).toBe(true);
    // A page's granule is that of the last packet finished on it; the final one may trim the end.
    expect(pages.map((p) => p.granule)).toEqual([0n, 0n, 1920n, 2500n]);
    expect(pages[2].packets).toHaveLength(2);
  });

  it('starts a new page when the next packet would pass 255 lacing values', () => {
    const ogg = createOggStream({ serial: 1 });
    // 300-byte packets take 2 lacing values each: 127 fit on a page (254), the 128th does not.
    for (let i = 1; i <= 130; i++) ogg.addPacket(bytes(300, i & 0xff), BigInt(i * 960));
    ogg.end();
    const pages = readOggPages(ogg.take());
    expect(pages.map((p) => p.packets.length)).toEqual([127, 3]);
    expect(pages.map((p) => p.lacing.length)).toEqual([254, 6]);
    expect(pages.map((p) => p.granule)).toEqual([127n * 960n, 130n * 960n]);
    expect(pages[1].packets[0][0]).toBe(128);
  });

  it('gives each finished page out once, and nothing is added after the end', () => {
    const ogg = createOggStream({ serial: 1 });
    ogg.addPacket(bytes(10), 0n);
    expect(ogg.take().length).toBe(0);
    ogg.flush();
    expect(readOggPages(ogg.take())).toHaveLength(1);
    expect(ogg.take().length).toBe(0);
    ogg.end(0n);
    expect(readOggPages(ogg.take())[0].flags).toBe(OGG_EOS);
    expect(() => ogg.addPacket(bytes(1), 0n)).toThrow();
  });
});
