/**
 * How RBM Flow talks to Temporal securely: the payload keys (configured, or for the embedded
 * development setup generated once into RBM_DATA_DIR/payload-keys, mode 0600) and the mTLS client
 * settings. Read here, once per client or worker, from the validated configuration.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { parsePayloadKeys, type Config, type PayloadKey } from '../config/config.js';
import { RbmError } from '../domain/errors.js';
import { newPayloadKey } from './payload-codec.js';

export interface TemporalSecurity {
  payloadKeys: PayloadKey[];
  tls: TLSConfig | undefined;
}

export function temporalSecurity(config: Config): TemporalSecurity {
  return { payloadKeys: resolvePayloadKeys(config), tls: temporalTlsConfig(config) };
}

export const devPayloadKeyFile = (config: Pick<Config, 'dataDir'>) => path.join(config.dataDir, 'payload-keys');

export function resolvePayloadKeys(config: Pick<Config, 'payloadKeys' | 'payloadKeyFile' | 'temporalAddress' | 'dataDir'>): PayloadKey[] {
  if (config.payloadKeys) return config.payloadKeys;
  if (config.payloadKeyFile) return readKeyFile(config.payloadKeyFile);
  // A configured Temporal is a deployment: its keys must be the same in every process, so they are set, not made up.
  if (config.temporalAddress) {
    throw new RbmError('invalid_input', 'TEMPORAL_ADDRESS is set: set RBM_PAYLOAD_KEYS or RBM_PAYLOAD_KEY_FILE too (the keys that encrypt Temporal payloads, the same for the worker and the app)');
  }
  return readKeyFile(devPayloadKeyFile(config), { create: true });
}

function readKeyFile(file: string, opts: { create?: boolean } = {}): PayloadKey[] {
  if (opts.create && !fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const k = newPayloadKey(`dev-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`);
    try {
      // wx: if another process made it a moment ago, theirs is the key.
      fs.writeFileSync(file, `# RBM Flow's Temporal payload key for the embedded services (generated; keep it)\n${k.id}:${k.key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new RbmError('invalid_input', `cannot read the payload key file ${file}: ${(e as Error).message}`);
  }
  try {
    return parsePayloadKeys(text);
  } catch (e) {
    throw new RbmError('invalid_input', `payload key file ${file}: ${(e as Error).message}`);
  }
}

/** The client side of mTLS to the Temporal frontend, or undefined (plain TCP: the embedded dev server). */
export function temporalTlsConfig(config: Pick<Config, 'temporalTls'>): TLSConfig | undefined {
  const t = config.temporalTls;
  if (!t) return undefined;
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new RbmError('invalid_input', `cannot read the Temporal TLS ${what} ${file}: ${(e as Error).message}`);
    }
  };
  return {
    serverNameOverride: t.serverName,
    serverRootCACertificate: t.caFile ? read(t.caFile, 'CA certificate (TEMPORAL_TLS_CA)') : undefined,
    clientCertPair: t.certFile && t.keyFile ? { crt: read(t.certFile, 'certificate (TEMPORAL_TLS_CERT)'), key: read(t.keyFile, 'key (TEMPORAL_TLS_KEY)') } : undefined,
  };
}
