/**
 * What a topology spec needs: the cluster (cluster/cluster.ts: the real Temporal server on PostgreSQL,
 * N `rbm worker` and M `rbm web` processes) with Mailpit behind a fault-injecting SMTP proxy, the demo
 * portfolio, an application context of its own, and ways to read Mailpit and Temporal's view of who
 * runs what.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { principalFor, type Principal } from '../../app/auth.js';
import { openAppContext, type AppContext } from '../../app/context.js';
import { loadDemoPortfolio } from '../../app/portfolio.js';
import { startCluster, type Cluster } from '../../cluster/cluster.js';
import { loadConfig } from '../../config/config.js';
import { createLogger } from '../../runtime/logger.js';
import { findMailpit, startMailpit, type MailpitHandle } from '../../runtime/mailpit.js';
import { newPayloadKey } from '../../runtime/payload-codec.js';
import { freePort } from '../../runtime/ports.js';
import { ensureTools } from '../../runtime/tools.js';
import { startSmtpProxy, type SmtpProxy } from './smtp-proxy.js';

export interface Topology {
  cluster: Cluster;
  ctx: AppContext;
  smtp: SmtpProxy;
  mail: MailApi;
  principal(userId: string): Promise<Principal>;
  /** Seconds the cluster took to come up. */
  startSeconds: number;
  stop(): Promise<void>;
}

export async function startTopology(name: string, opts: { workers?: number; web?: number; processEnv?: Record<string, string>; tls?: boolean } = {}): Promise<Topology> {
  const started = Date.now();
  const log = createLogger(process.env.RBM_LOG_LEVEL ?? 'warn', `topology-${name}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rbm-topology-${name}-`));
  fs.chmodSync(dir, 0o755);
  const key = newPayloadKey('topology');
  const base = loadConfig({ RBM_PAYLOAD_KEYS: `${key.id}:${key.key.toString('base64')}`, RBM_DATA_DIR: path.join(dir, 'spec') });
  await ensureTools({ toolsDir: base.toolsDir, want: ['mailpit'], required: true, log });
  const mailpit: MailpitHandle = await startMailpit({ binary: findMailpit(base.toolsDir)!, smtpPort: await freePort(), uiPort: await freePort(), log });
  const smtp = await startSmtpProxy({ host: '127.0.0.1', port: Number(new URL(mailpit.smtpUrl).port) });
  let cluster: Cluster | undefined;
  try {
    const config = { ...base, smtpUrl: smtp.url };
    cluster = await startCluster({ dir, workers: opts.workers ?? 2, web: opts.web ?? 0, config, log, processEnv: opts.processEnv, tls: opts.tls });
    // With mTLS the spec's own client presents RBM Flow's certificate, as the processes do.
    const temporalTls = cluster.tls ? { certFile: cluster.tls.rbmCertFile, keyFile: cluster.tls.rbmKeyFile, caFile: cluster.tls.caFile, serverName: cluster.tls.serverName } : undefined;
    const ctx = await openAppContext({ ...config, databaseUrl: cluster.databaseUrl, temporalAddress: cluster.temporalAddress, temporalTls }, { databaseUrl: cluster.databaseUrl, temporalAddress: cluster.temporalAddress, temporalUiUrl: null, smtpUrl: smtp.url }, log);
    await loadDemoPortfolio(ctx, '2025-Q4');
    const c = cluster;
    return {
      cluster: c, ctx, smtp, mail: mailApi(mailpit.uiUrl),
      principal: async (userId) => {
        const p = await principalFor(ctx, userId, 'session');
        if (!p) throw new Error(`no user ${userId}`);
        return p;
      },
      startSeconds: Math.round((Date.now() - started) / 1000),
      async stop() {
        await ctx.close().catch(() => undefined);
        await c.stop();
        await smtp.close();
        await mailpit.stop();
        if (!process.env.RBM_KEEP_TOPOLOGY) fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await cluster?.stop();
    await smtp.close();
    await mailpit.stop();
    throw e;
  }
}

export interface MailApi {
  /** Every message Mailpit holds: subject and recipients. */
  all(): Promise<Array<{ id: string; subject: string; to: string[] }>>;
  /** How many messages with this subject went to this address. */
  count(address: string, subject: string): Promise<number>;
}

function mailApi(base: string): MailApi {
  const all = async () => {
    const res = await fetch(`${base}/api/v1/messages?limit=1000`);
    const body = (await res.json()) as { messages: Array<{ ID: string; Subject: string; To: Array<{ Address: string }> }> };
    return body.messages.map((m) => ({ id: m.ID, subject: m.Subject, to: m.To.map((t) => t.Address) }));
  };
  return {
    all,
    count: async (address, subject) => (await all()).filter((m) => m.subject === subject && m.to.includes(address)).length,
  };
}

/** The subject of a donor's report e-mail (activities/donor-mail.ts). */
export const donorSubject = (title: string, code: string, period: string) => `${title} (${code}): report for ${period}`;

/** The cluster worker that runs a started activity of the workflow now (by the SDK's identity `pid@host`), if any. */
export async function workerRunning(t: Topology, workflowId: string, activityType: string): Promise<number | undefined> {
  const d = await t.ctx.temporal.workflow.getHandle(workflowId).describe();
  for (const a of d.raw.pendingActivities ?? []) {
    // state 2: PENDING_ACTIVITY_STATE_STARTED
    if (a.activityType?.name !== activityType || Number(a.state) !== 2) continue;
    const pid = Number(String(a.lastWorkerIdentity ?? '').split('@')[0]);
    const i = t.cluster.workers.findIndex((w) => w.pid() === pid);
    if (i >= 0) return i;
  }
  return undefined;
}

/** How many times each activity type was started in the workflow's history (retries included). */
export async function activityStarts(t: Topology, workflowId: string): Promise<Record<string, { scheduled: number; attempts: number[] }>> {
  const history = await t.ctx.temporal.workflow.getHandle(workflowId).fetchHistory();
  const byScheduledId = new Map<string, string>();
  const out: Record<string, { scheduled: number; attempts: number[] }> = {};
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      const type = s.activityType?.name ?? '?';
      byScheduledId.set(String(e.eventId), type);
      (out[type] ??= { scheduled: 0, attempts: [] }).scheduled++;
    }
    const st = e.activityTaskStartedEventAttributes;
    if (st) {
      const type = byScheduledId.get(String(st.scheduledEventId)) ?? '?';
      (out[type] ??= { scheduled: 0, attempts: [] }).attempts.push(st.attempt ?? 1);
    }
  }
  return out;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** What a stuck cycle is waiting for (its pending activities and their last failures), for a failing spec's message. */
export async function diagnose(t: Topology, workflowId: string): Promise<string> {
  try {
    const d = await t.ctx.temporal.workflow.getHandle(workflowId).describe();
    const pending = (d.raw.pendingActivities ?? []).map((a) => ({
      type: a.activityType?.name, state: a.state, attempt: a.attempt, worker: a.lastWorkerIdentity, failure: a.lastFailure?.message,
    }));
    const wft = d.raw.pendingWorkflowTask;
    return JSON.stringify({ status: d.status.name, pending, workflowTask: wft ? { state: wft.state, attempt: wft.attempt } : null });
  } catch (e) {
    return `describe failed: ${(e as Error).message}`;
  }
}
