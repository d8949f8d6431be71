import * as crypto from 'node:crypto';

export interface HashInput {
  streamId: string;
  streamVersion: bigint;
  eventId: string;
  type: string;
  /** Canonical JSON of the event's data and metadata (see canonical-json.ts). */
  dataJson: string;
  metadataJson: string;
  /** Hex hash of the previous event of the stream; null for version 1. */
  prevHash: string | null;
}

/**
 * SHA-256 (hex) of the canonical JSON of
 * `{ data, eventId, metadata, prevHash, streamId, streamVersion, type }` with the version as a
 * decimal string (bigint-safe). The text is assembled from already canonical parts, in key order,
 * so it equals `canonicalJson` of that object (a unit test holds the two together).
 */
export function eventHash(input: HashInput): string {
  const text =
    `{"data":${input.dataJson},"eventId":${JSON.stringify(input.eventId)}` +
    `,"metadata":${input.metadataJson},"prevHash":${input.prevHash === null ? 'null' : JSON.stringify(input.prevHash)}` +
    `,"streamId":${JSON.stringify(input.streamId)},"streamVersion":"${input.streamVersion}"` +
    `,"type":${JSON.stringify(input.type)}}`;
  return sha256Hex(text);
}

type OneShotHash = (algorithm: string, data: string, outputEncoding: 'hex') => string;
const oneShot = (crypto as { hash?: OneShotHash }).hash;

/** `crypto.hash` (Node 20.12+) is about twice as fast as createHash for inputs this small. */
const sha256Hex: (text: string) => string =
  oneShot === undefined
    ? (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex')
    : (text) => oneShot('sha256', text, 'hex');
