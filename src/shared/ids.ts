import { randomBytes, randomUUID } from 'node:crypto';

/** Id generators are injected (`Ids`) so tests can make them predictable. */
export interface Ids {
  /** 32 lower-case hex chars, the shape of ICE JobId / MediaId. */
  hex32(): string;
  /** Upper-case UUID, the shape of ICE RequestId. */
  requestId(): string;
}

export const randomIds: Ids = {
  hex32: () => randomBytes(16).toString('hex'),
  requestId: () => randomUUID().toUpperCase(),
};
