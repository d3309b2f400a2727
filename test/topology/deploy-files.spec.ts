/**
 * The Temporal files docker-compose.yml and `npm run cluster` share (deploy/temporal/): the compose
 * file points at them, the schema folders are there, and the server renders production.yaml from the
 * environment — the cluster's, and the compose file's mTLS settings — as it would at start. In the topology
 * project, which runs after the Temporal server is built (.ci/run).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/config.js';
import { DEPLOY_TEMPORAL_DIR, DYNAMIC_CONFIG_FILE, SETUP_SCHEMA_SCRIPT, postgresLogin, temporalServerEnv } from '../../cluster/temporal-server.js';

const server = path.join(PROJECT_ROOT, 'tools', 'bin', 'temporal-server');
const render = (env: Record<string, string>) =>
  execFileSync(server, ['--config', path.join(DEPLOY_TEMPORAL_DIR, 'config'), '--env', 'production', 'render-config'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });

describe('deploy/temporal', () => {
  it('is what docker-compose.yml mounts and runs', () => {
    const compose = fs.readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('./deploy/temporal:/scripts:ro');
    expect(compose).toContain('command: /scripts/setup-schema.sh');
    expect(compose).toContain('./deploy/temporal/config:/etc/temporal/rbm-config:ro');
    expect(compose).toMatch(/temporal-server --root \/etc\/temporal --config rbm-config --env production --allow-no-auth start/);
    expect(compose).toContain('DYNAMIC_CONFIG_FILE_PATH: config/dynamicconfig/development-sql.yaml');
    for (const f of [SETUP_SCHEMA_SCRIPT, DYNAMIC_CONFIG_FILE, path.join(DEPLOY_TEMPORAL_DIR, 'config', 'production.yaml')]) expect(fs.existsSync(f), f).toBe(true);
    for (const db of ['temporal', 'visibility']) {
      const versions = fs.readdirSync(path.join(DEPLOY_TEMPORAL_DIR, 'schema', 'postgresql', 'v12', db, 'versioned'));
      expect(versions).toContain('v1.0');
      for (const v of versions) expect(fs.existsSync(path.join(DEPLOY_TEMPORAL_DIR, 'schema', 'postgresql', 'v12', db, 'versioned', v, 'manifest.json'))).toBe(true);
    }
  });

  it('renders the cluster configuration from its environment', () => {
    const ports = { frontend: 17233, frontendHttp: 17243, frontendMembership: 26933, history: 17234, historyMembership: 26934, matching: 17235, matchingMembership: 26935, worker: 17239, workerMembership: 26939 };
    const out = render(temporalServerEnv(postgresLogin('postgres://rbm:secret@127.0.0.1:5439/rbm'), ports));
    expect(out).toContain('connectAddr: 127.0.0.1:5439');
    expect(out).toContain('databaseName: temporal_visibility');
    expect(out).toMatch(/grpcPort: 17233/);
    expect(out).toMatch(/membershipPort: 26939/);
    expect(out).toContain('rpcAddress: 127.0.0.1:17233');
    expect(out).toContain(DYNAMIC_CONFIG_FILE);
    expect(out).not.toMatch(/requireClientAuth: true/);
  });

  it("renders the compose file's mTLS settings", () => {
    const out = render({
      POSTGRES_SEEDS: 'postgresql', POSTGRES_PWD: 'temporal', BIND_ON_IP: '0.0.0.0', TEMPORAL_BROADCAST_ADDRESS: '172.18.0.5',
      TEMPORAL_TLS_REQUIRE_CLIENT_AUTH: 'true', TEMPORAL_TLS_SERVER_CA_CERT: '/run/secrets/temporal_ca',
      TEMPORAL_TLS_SERVER_CERT: '/run/secrets/temporal_server_cert', TEMPORAL_TLS_SERVER_KEY: '/run/secrets/temporal_server_key',
      TEMPORAL_TLS_FRONTEND_CERT: '/run/secrets/temporal_server_cert', TEMPORAL_TLS_FRONTEND_KEY: '/run/secrets/temporal_server_key',
      TEMPORAL_TLS_CLIENT1_CA_CERT: '/run/secrets/temporal_ca', TEMPORAL_TLS_CLIENT2_CA_CERT: '/run/secrets/temporal_ca',
      TEMPORAL_TLS_INTERNODE_SERVER_NAME: 'temporal', TEMPORAL_TLS_FRONTEND_SERVER_NAME: 'temporal',
    });
    expect(out.match(/requireClientAuth: true/g)).toHaveLength(2); // frontend and internode
    expect(out).toContain('- /run/secrets/temporal_ca');
    expect(out).toContain('serverName: temporal');
    expect(out).toContain('connectAddr: postgresql:5432');
    expect(out).toContain('bindOnIP: 0.0.0.0');
    expect(out).toContain('broadcastAddress: 172.18.0.5');
  });
});
