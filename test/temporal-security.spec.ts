/**
 * Forged approvals through Temporal (issue #14): on the real dev server of the global setup, a client
 * without RBM Flow's payload key can neither decide, resubmit nor cancel a cycle, nor start a
 * workflow that runs, and the history the server keeps holds no readable report data. A client with
 * the key decides as before; old keys keep decoding; the codec endpoint decodes for admins only.
 */
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiToken } from '../app/auth.js';
import { cycleResult, cycleStatus, decide, resubmit, startCycle, waitForCycleState, waitForStep } from '../app/cycles.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { isUnauthenticatedPayload, NOT_SENT_BY_RBM_FLOW } from '../domain/unauthenticated-payload.js';
import { ENCRYPTED_ENCODING, newPayloadKey, PayloadEncryptionCodec } from '../runtime/payload-codec.js';
import { serveWeb } from './support/web-agent.js';
import { startTestSystem, type TestSystem } from './support/test-system.js';

const PROJECT = 'LY10P0542'; // governance: its manager is pm.governance, then the Chief of Mission
const MANAGER = 'pm.governance';
const CHIEF = 'com.libya';
const COMMENT = 'Forgery-check comment 7f3a: the Sabha figures are in.';

let sys: TestSystem;
let raw: Client; // what anyone reaching Temporal's port has: no key
let rawConnection: Connection;
let http: FastifyInstance;
let base: string;

beforeAll(async () => {
  sys = await startTestSystem('temporal-security');
  await loadDemoPortfolio(sys.ctx, '2025-Q4');
  rawConnection = await Connection.connect({ address: inject('temporalAddress') });
  raw = new Client({ connection: rawConnection, namespace: 'default' });
  http = await serveWeb(sys.ctx);
  const address = http.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await http?.close();
  await rawConnection?.close();
  await sys?.stop();
});

const decodeJson = (p: Payload) => defaultPayloadConverter.fromPayload(p);
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('latin1');

/** The update fails with the workflow validator's reason (not a crash, not an acceptance). */
async function expectRefused(update: Promise<unknown>) {
  const e = await update.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(String((e as WorkflowUpdateFailedError).cause?.message)).toContain(NOT_SENT_BY_RBM_FLOW);
}

describe('a client without the payload key', () => {
  it('cannot decide, resubmit or cancel: each Update is refused with the reason, and the cycle waits on', async () => {
    const { cycleId } = await startCycle(sys.ctx, { projectCode: PROJECT, period: '2024-Q1', startedBy: 'me.officer' });
    await waitForStep(sys.ctx, cycleId, 1, 0);
    const handle = raw.workflow.getHandle(cycleId);
    await expectRefused(handle.executeUpdate('decide', { args: [{ decision: 'approve', by: MANAGER, version: 1 }] }));
    await expectRefused(handle.executeUpdate('cancel', { args: [{ by: 'me.officer', reason: 'forged' }] }));
    await expectRefused(handle.executeUpdate('resubmit', { args: [{ by: 'me.officer' }] }));
    const status = await cycleStatus(sys.ctx, cycleId);
    expect(status).toMatchObject({ state: 'awaiting_approval', version: 1, stepIndex: 0, decisions: [] });

    // Returned by the manager (through RBM Flow), a forged resubmit is refused too, and the cycle stays returned.
    await decide(sys.ctx, cycleId, { decision: 'return', by: MANAGER, version: 1, comment: COMMENT });
    await waitForCycleState(sys.ctx, cycleId, ['returned']);
    await expectRefused(handle.executeUpdate('resubmit', { args: [{ by: 'me.officer' }] }));
    await expectRefused(handle.executeUpdate('cancel', { args: [{ by: 'me.officer', reason: 'forged' }] }));
    expect((await cycleStatus(sys.ctx, cycleId)).state).toBe('returned');

    // (c) RBM Flow's own client (with the key) still works: resubmit, then both approvals complete it.
    await resubmit(sys.ctx, cycleId, { by: 'me.officer', comment: COMMENT });
    await waitForStep(sys.ctx, cycleId, 2, 0);
    await decide(sys.ctx, cycleId, { decision: 'approve', by: MANAGER, version: 2, comment: COMMENT });
    await waitForStep(sys.ctx, cycleId, 2, 1);
    await decide(sys.ctx, cycleId, { decision: 'approve', by: CHIEF, version: 2 });
    const done = await cycleResult(sys.ctx, cycleId);
    expect(done.state).toBe('completed');
    expect(done.decisions.map((d) => d.by)).toEqual([MANAGER, MANAGER, CHIEF]);

    // (b) What the server keeps: every payload encrypted, nothing of the report readable.
    const history = await raw.workflow.getHandle(cycleId).fetchHistory();
    const payloads: Array<{ where: string; payload: Payload }> = [];
    const collect = (node: unknown, where: string): void => {
      if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
      if ('data' in node && 'metadata' in node && (node as Payload).metadata) payloads.push({ where, payload: node as Payload });
      else for (const [k, v] of Object.entries(node)) collect(v, `${where}.${k}`);
    };
    history.events!.forEach((e, i) => collect(e, `${i}`));
    expect(payloads.length).toBeGreaterThan(20);
    // The SDK itself writes two things without the codec: patch markers (the patch's id) and the
    // TemporalChangeVersion search attribute (the patch ids). Neither holds data of ours.
    const sdkOwn = /markerRecordedEventAttributes\.details\.patch-data|searchAttributes\.indexedFields\.TemporalChangeVersion/;
    expect(payloads.filter((p) => !sdkOwn.test(p.where)).length).toBeGreaterThan(20);
    for (const { where, payload } of payloads) {
      if (!sdkOwn.test(where)) {
        expect(text(payload.metadata?.encoding), where).toBe(ENCRYPTED_ENCODING);
        expect(text(payload.metadata?.['encryption-key-id']), where).toBe('test');
      }
      for (const secret of [PROJECT, MANAGER, CHIEF, 'me.officer', 'Sabha', '2024-Q1']) expect(text(payload.data), where).not.toContain(secret);
    }
    // The raw client reads no status either: the query's answer is ciphertext to it.
    const q = await raw.workflow.getHandle(cycleId).query('status').then((v) => v, (e: unknown) => e);
    expect(JSON.stringify(q)).not.toContain(MANAGER);
  });

  it('cannot start a workflow that runs: it fails at once with the reason, before any step', async () => {
    const handle = await raw.workflow.start('reportCycleWorkflow', {
      taskQueue: sys.ctx.config.taskQueue,
      workflowId: `forged-cycle-${Date.now()}`,
      args: [{ cycleId: 'forged', projectCode: PROJECT, period: '2024-Q4', approvers: [MANAGER] }],
    });
    const outcome = await handle.result().then(() => 'completed', (e: unknown) => e);
    expect(String((outcome as Error & { cause?: Error }).cause?.message)).toContain(NOT_SENT_BY_RBM_FLOW);
    const history = await handle.fetchHistory();
    expect(history.events!.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
  });
});

describe('the payload codec', () => {
  const roundTrip = async (codec: PayloadEncryptionCodec, payload: Payload) => (await codec.decode(await codec.encode([payload])))[0]!;
  const json = defaultPayloadConverter.toPayload({ by: MANAGER, comment: COMMENT });

  it('encrypts with the first key and still decrypts what an older key encrypted (rotation)', async () => {
    const old = newPayloadKey('k2025');
    const current = newPayloadKey('k2026');
    const before = new PayloadEncryptionCodec([old]);
    const sealed = (await before.encode([json]))[0]!;
    const rotated = new PayloadEncryptionCodec([current, old]);
    expect(decodeJson((await rotated.decode([sealed]))[0]!)).toEqual({ by: MANAGER, comment: COMMENT });
    const fresh = (await rotated.encode([json]))[0]!;
    expect(text(fresh.metadata?.['encryption-key-id'])).toBe('k2026');
    expect(decodeJson(await roundTrip(rotated, json))).toEqual({ by: MANAGER, comment: COMMENT });
  });

  it('turns a plain payload, an unknown key id or an altered ciphertext into the refusal marker', async () => {
    const codec = new PayloadEncryptionCodec([newPayloadKey('a')]);
    const other = new PayloadEncryptionCodec([newPayloadKey('b')]);
    const sameIdOtherKey = new PayloadEncryptionCodec([newPayloadKey('a')]);
    const sealed = (await codec.encode([json]))[0]!;
    const altered = { ...sealed, data: Uint8Array.from(sealed.data!, (b, i) => (i === sealed.data!.length - 1 ? b ^ 1 : b)) };
    for (const p of [json, (await other.encode([json]))[0]!, (await sameIdOtherKey.encode([json]))[0]!, altered]) {
      expect(isUnauthenticatedPayload(decodeJson((await codec.decode([p]))[0]!))).toBe(true);
    }
  });
});

describe('the codec endpoint', () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: JSON.stringify(body) });
  const toWire = (p: Payload) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  });
  const fromWire = (p: { metadata: Record<string, string>; data: string }): Payload => ({
    metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: new Uint8Array(Buffer.from(p.data, 'base64')),
  });

  it('encodes and decodes for an admin API token (Temporal remote codec protocol), with CORS for the Temporal UI', async () => {
    const { token } = await createApiToken(sys.ctx, 'admin', 'codec test');
    const auth = { authorization: `Bearer ${token}` };
    const original = defaultPayloadConverter.toPayload({ by: MANAGER, comment: COMMENT });
    const encoded = await post('/codec/encode', { payloads: [toWire(original)] }, auth);
    expect(encoded.status).toBe(200);
    const sealed = ((await encoded.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> }).payloads;
    expect(Buffer.from(sealed[0]!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(sealed[0]!.data, 'base64').toString('latin1')).not.toContain(MANAGER);

    const decoded = await post('/codec/default/decode', { payloads: sealed }, { ...auth, origin: 'http://127.0.0.1:8233' });
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    const plain = ((await decoded.json()) as { payloads: Array<{ metadata: Record<string, string>; data: string }> }).payloads;
    expect(decodeJson(fromWire(plain[0]!))).toEqual({ by: MANAGER, comment: COMMENT });

    const preflight = await fetch(`${base}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:8233', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const otherOrigin = await fetch(`${base}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(otherOrigin.headers.get('access-control-allow-origin')).toBeNull();

    // Another namespace's payloads are not ours to decode.
    expect((await post('/codec/decode', { payloads: sealed }, { ...auth, 'x-namespace': 'other' })).status).toBe(403);
  });

  it('answers 401 without a token or with a bad one, 403 to a non-admin', async () => {
    const body = { payloads: [toWire(defaultPayloadConverter.toPayload('x'))] };
    for (const path of ['/codec/decode', '/codec/encode']) {
      expect((await post(path, body)).status).toBe(401);
      expect((await post(path, body, { authorization: 'Bearer rbm_not-a-token' })).status).toBe(401);
    }
    const { token } = await createApiToken(sys.ctx, MANAGER, 'codec test');
    const refused = await post('/codec/decode', body, { authorization: `Bearer ${token}` });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'forbidden' });
  });
});
