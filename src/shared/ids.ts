import { randomBytes, randomUUID } from 'node:crypto';

/** Id generators are injected (`Ids`) so tests can make them predictable. */
export interface Ids {
  /** 32 lower-case hex chars, the shape of ICE JobId / MediaId. */
  hex32(): string;
  /** Upper-case UUID, the shape of ICE RequestId. */
  requestId(): string;
}

// Ids come from a pool of random bytes refilled 4 KiB at a time (as crypto.randomUUID does
// internally): one call into the CSPRNG per 256 ids instead of one per id, on every submit's path.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

function randomHex16Bytes(): string {
  if (offset + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + 16);
  offset += 16;
  return hex;
}

export const randomIds: Ids = {
  hex32: randomHex16Bytes,
  requestId: () => randomUUID().toUpperCase(),
};
