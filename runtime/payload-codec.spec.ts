import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { loadConfig, parsePayloadKeys } from '../config/config.js';
import { isUnauthenticatedPayload } from '../domain/unauthenticated-payload.js';
import { newPayloadKey, PayloadEncryptionCodec } from './payload-codec.js';
import { devPayloadKeyFile, resolvePayloadKeys } from './temporal-security.js';

const b64 = (k: Buffer) => k.toString('base64');

describe('payload keys', () => {
  it('reads "id:base64" entries, the first current, and never quotes a key in an error', () => {
    const [a, b] = [newPayloadKey('k2'), newPayloadKey('k1')];
    expect(parsePayloadKeys(`k2:${b64(a.key)}, k1:${b64(b.key)}`).map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(parsePayloadKeys(`# comment\nk2:${b64(a.key)}\n`)).toHaveLength(1);
    expect(() => parsePayloadKeys('k:c2hvcnQ=')).toThrow(/not 32 bytes/);
    expect(() => parsePayloadKeys(`k:${b64(a.key)},k:${b64(b.key)}`)).toThrow(/twice/);
    expect(() => loadConfig({ RBM_PAYLOAD_KEYS: 'nokey' })).toThrow(/RBM_PAYLOAD_KEYS/);
    const secret = b64(a.key).slice(0, 40);
    expect(() => loadConfig({ RBM_PAYLOAD_KEYS: `k:${secret}` })).toThrow(/RBM_PAYLOAD_KEYS/);
    try {
      loadConfig({ RBM_PAYLOAD_KEYS: `k:${secret}` });
    } catch (e) {
      expect((e as Error).message).not.toContain(secret);
    }
  });

  it('generates the development key once, mode 0600, and refuses a configured Temporal without keys', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-keys-'));
    try {
      const config = loadConfig({ RBM_DATA_DIR: dataDir });
      const first = resolvePayloadKeys(config);
      expect(fs.statSync(devPayloadKeyFile(config)).mode & 0o777).toBe(0o600);
      expect(b64(resolvePayloadKeys(config)[0]!.key)).toBe(b64(first[0]!.key));
      expect(() => resolvePayloadKeys(loadConfig({ RBM_DATA_DIR: dataDir, TEMPORAL_ADDRESS: 'temporal:7233' }))).toThrow(/RBM_PAYLOAD_KEYS/);
      const configured = newPayloadKey('prod-1');
      expect(resolvePayloadKeys(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', RBM_PAYLOAD_KEYS: `prod-1:${b64(configured.key)}` }))[0]!.id).toBe('prod-1');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('PayloadEncryptionCodec', () => {
  const value = { by: 'pm.governance', comment: 'Sabha figures' };
  const payload = defaultPayloadConverter.toPayload(value);

  it('round-trips every payload kind and hides the data', async () => {
    const codec = new PayloadEncryptionCodec([newPayloadKey('a')]);
    for (const p of [payload, defaultPayloadConverter.toPayload(undefined), defaultPayloadConverter.toPayload(new Uint8Array([1, 2, 3]))]) {
      const [sealed] = await codec.encode([p]);
      expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('pm.governance');
      expect(defaultPayloadConverter.fromPayload((await codec.decode([sealed!]))[0]!)).toEqual(defaultPayloadConverter.fromPayload(p));
    }
  });

  it('decodes a truncated or empty encrypted payload to the marker, never throws', async () => {
    const codec = new PayloadEncryptionCodec([newPayloadKey('a')]);
    const [sealed] = await codec.encode([payload]);
    for (const p of [{ ...sealed!, data: sealed!.data!.subarray(0, 10) }, { metadata: sealed!.metadata }, {}]) {
      expect(isUnauthenticatedPayload(defaultPayloadConverter.fromPayload((await codec.decode([p]))[0]!))).toBe(true);
    }
  });
});
