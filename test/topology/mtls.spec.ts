/**
 * Issue 15, the deployment's security as run: the cluster with mTLS (`rbm cluster --tls`), the Temporal
 * server configured by the same production.yaml settings docker-compose.yml gives it. The frontend
 * refuses a client without a certificate and one whose certificate another CA signed; RBM Flow's
 * worker and web processes, which present theirs, run a cycle through approval to the donor.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection, type TLSConfig } from '@temporalio/client';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleResult, decideAs, startCycleAs, waitForStep } from '../../app/cycles.js';
import { PROJECT_ROOT } from '../../config/config.js';
import { getProjectBundle } from '../../db/portfolio-repository.js';
import { temporalServerTlsEnv } from '../../cluster/temporal-server.js';
import { donorSubject, startTopology, type Topology } from './topology.js';

let t: Topology;
let otherCa: string;
beforeAll(async () => {
  t = await startTopology('mtls', { workers: 1, web: 1, tls: true });
  console.info(`topology with mTLS up in ${t.startSeconds} s`);
  // A second CA and its certificates: valid certificates, but not of the cluster's CA.
  otherCa = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-other-ca-'));
  execFileSync('bash', [path.join(PROJECT_ROOT, 'deploy', 'generate-certs.sh'), otherCa], { stdio: 'ignore' });
});
afterAll(async () => {
  await t?.stop();
  if (otherCa) fs.rmSync(otherCa, { recursive: true, force: true });
});

/** 'ok' when the frontend answers GetSystemInfo over this connection, else the error's message. */
async function frontendAnswers(tls: TLSConfig | undefined): Promise<string> {
  try {
    const connection = await Connection.connect({ address: t.cluster.temporalAddress, tls, connectTimeout: '3 seconds' });
    try {
      await connection.withDeadline(Date.now() + 5000, () => connection.workflowService.getSystemInfo({}));
      return 'ok';
    } finally {
      await connection.close();
    }
  } catch (e) {
    return (e as Error).message || String(e);
  }
}

describe('mTLS between RBM Flow and the Temporal server (issue 15)', () => {
  it('sets the server up with the settings docker-compose.yml gives the temporal service', () => {
    const compose = parseYaml(fs.readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { environment?: Record<string, string> }> };
    const composeTls = Object.keys(compose.services['temporal']?.environment ?? {}).filter((k) => k.startsWith('TEMPORAL_TLS_')).sort();
    expect(Object.keys(temporalServerTlsEnv(t.cluster.tls!)).sort()).toEqual(composeTls);
  });

  it('refuses a client without a certificate of the cluster\'s CA', async () => {
    const tls = t.cluster.tls!;
    const ca = fs.readFileSync(tls.caFile);
    const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name));
    const outcomes = {
      plain: await frontendAnswers(undefined),
      noClientCertificate: await frontendAnswers({ serverNameOverride: tls.serverName, serverRootCACertificate: ca }),
      otherCa: await frontendAnswers({ serverNameOverride: tls.serverName, serverRootCACertificate: ca, clientCertPair: { crt: read(otherCa, 'rbm.pem'), key: read(otherCa, 'rbm.key') } }),
      rbm: await frontendAnswers({ serverNameOverride: tls.serverName, serverRootCACertificate: ca, clientCertPair: { crt: fs.readFileSync(tls.rbmCertFile), key: fs.readFileSync(tls.rbmKeyFile) } }),
    };
    console.info(`frontend outcomes: ${JSON.stringify(outcomes)}`);
    expect(outcomes.plain).not.toBe('ok');
    expect(outcomes.noClientCertificate).not.toBe('ok');
    expect(outcomes.otherCa).not.toBe('ok');
    expect(outcomes.rbm).toBe('ok');
  });

  it('runs a cycle through both approvals to the donor, the web ready, over mTLS', async () => {
    const ready = await fetch(`${t.cluster.webs[0]!.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    expect(ready.status).toBe(200);
    const officer = await t.principal('me.officer');
    const { cycleId } = await startCycleAs(t.ctx, officer, { projectCode: 'LY10P0542', period: '2025-Q3' });
    for (let step = 0; step < 2; step++) {
      const s = await waitForStep(t.ctx, cycleId, 1, step, 180_000);
      await decideAs(t.ctx, await t.principal(s.approvers[0]!), cycleId, { decision: 'approve', version: 1, comment: `step ${step}` });
    }
    const final = await cycleResult(t.ctx, cycleId);
    expect(final.state).toBe('completed');
    expect(final.decisions.filter((d) => d.decision === 'approve')).toHaveLength(2);
    const { project } = await getProjectBundle(t.ctx.pool, final.projectCode);
    const deliveries = final.donorDeliveries ?? [];
    expect(deliveries.length).toBeGreaterThan(0);
    for (const d of deliveries) expect(await t.mail.count(d.email, donorSubject(project.title, project.code, final.period))).toBe(1);
  });
});
