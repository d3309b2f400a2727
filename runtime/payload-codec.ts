/**
 * The payload codec of every Temporal client and worker of RBM Flow: each payload is encrypted with
 * AES-256-GCM under the current key (the first configured), its key id in the metadata; a payload is
 * decrypted with whichever known key its id names. A payload that is not encrypted with a known key
 * (sent by a client without the key, or tampered with) is not an error here: it decodes to a marker
 * value (domain/unauthenticated-payload.ts) that the workflows refuse with a reason.
 */
import crypto from 'node:crypto';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import type { PayloadKey } from '../config/config.js';
import { unauthenticatedPayload } from '../domain/unauthenticated-payload.js';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Bound into each ciphertext with its key id, so that a payload cannot pass for another format. */
const aad = (keyId: string) => Buffer.from(`rbm-flow/payload/v1/${keyId}`, 'utf8');

const utf8 = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/** The original payload, serialized for encryption: metadata values and data as base64. */
function serialize(p: Payload): Buffer {
  const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return Buffer.from(JSON.stringify({ metadata, data: p.data ? Buffer.from(p.data).toString('base64') : null }), 'utf8');
}
function deserialize(b: Buffer): Payload {
  const o = JSON.parse(b.toString('utf8')) as { metadata: Record<string, string>; data: string | null };
  return {
    metadata: Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: o.data === null ? undefined : new Uint8Array(Buffer.from(o.data, 'base64')),
  };
}

export class PayloadEncryptionCodec implements PayloadCodec {
  readonly #current: PayloadKey;
  readonly #keys: Map<string, Buffer>;

  /** `keys[0]` encrypts; every key decrypts the payloads that carry its id. */
  constructor(keys: readonly PayloadKey[]) {
    if (!keys.length) throw new Error('the payload codec needs at least one key');
    for (const k of keys) if (k.key.length !== 32) throw new Error(`payload key ${k.id} is not 32 bytes (AES-256)`);
    this.#current = keys[0]!;
    this.#keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  encrypt(p: Payload): Payload {
    const { id, key } = this.#current;
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(id));
    const sealed = Buffer.concat([cipher.update(serialize(p)), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: new Uint8Array(Buffer.from(ENCRYPTED_ENCODING)),
        [KEY_ID_METADATA]: new Uint8Array(Buffer.from(id)),
      },
      data: new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), sealed])),
    };
  }

  /** The original payload, or the marker payload when this one is not encrypted with a known key. */
  decrypt(p: Payload): Payload {
    const encoding = utf8(p.metadata?.[METADATA_ENCODING_KEY]);
    if (encoding !== ENCRYPTED_ENCODING) return marker(`the payload is not encrypted (encoding ${encoding ?? 'none'})`);
    const id = utf8(p.metadata?.[KEY_ID_METADATA]) ?? '';
    const key = this.#keys.get(id);
    if (!key) return marker(`the payload is encrypted with an unknown key id "${id}"`);
    const data = Buffer.from(p.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) return marker('the encrypted payload is truncated');
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(aad(id));
      decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return deserialize(Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]));
    } catch {
      return marker(`the payload does not decrypt with key "${id}" (altered, or another key under the same id)`);
    }
  }
}

const marker = (why: string): Payload => defaultPayloadConverter.toPayload(unauthenticatedPayload(why));

/** The data converter of every client and worker: the default converters, then encryption. */
export function rbmDataConverter(keys: readonly PayloadKey[]): DataConverter {
  return { payloadCodecs: [new PayloadEncryptionCodec(keys)] };
}

/** A new random key: for `.rbm/payload-keys` in development, and for `deploy/` (id:base64). */
export function newPayloadKey(id: string): PayloadKey {
  return { id, key: crypto.randomBytes(32) };
}
