/**
 * The payloads inside a workflow history (as fetched from Temporal), transformed in place: used to
 * decrypt a recorded history so that the replay tests keep plain histories (scripts/record-histories.ts).
 */
import type { Payload } from '@temporalio/common';
import { ENCRYPTED_ENCODING, type PayloadEncryptionCodec } from './payload-codec.js';

function isEncryptedPayload(v: unknown): v is Payload {
  if (!v || typeof v !== 'object' || !('metadata' in v)) return false;
  const encoding = (v as Payload).metadata?.encoding;
  return encoding instanceof Uint8Array && Buffer.from(encoding).toString('utf8') === ENCRYPTED_ENCODING;
}

/** Replaces every payload encrypted by RBM Flow's codec, wherever it sits in `node`, by its plain original. */
export function decryptPayloadsIn(node: unknown, codec: PayloadEncryptionCodec): void {
  if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
  const record = node as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (isEncryptedPayload(v)) {
      const plain = codec.decrypt(v);
      (v as Payload).metadata = plain.metadata;
      (v as Payload).data = plain.data;
    } else decryptPayloadsIn(v, codec);
  }
}
