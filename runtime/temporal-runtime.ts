/**
 * The Temporal SDK's native runtime logs through our logger (quiet by default). It can be installed
 * once per process and only before anything native (a worker, a dev server) starts, so every such
 * entry point calls this first.
 */
import { Runtime } from '@temporalio/worker';
import type { Logger } from './logger.js';

let installed = false;
// The render worker has activities only, by design: its notice about polling no workflows is noise.
const EXPECTED_WARNINGS = /^No workflows registered/;

export function installTemporalRuntime(log: Logger): void {
  if (installed) return;
  installed = true;
  const meta = (m?: Record<string, unknown>) => m ?? {};
  try {
    Runtime.install({
      // Our entry points stop workers themselves, in order, on SIGINT/SIGTERM.
      shutdownSignals: [],
      logger: {
        log: (level, message, m) => (level === 'ERROR' ? log.error(meta(m), message) : level === 'WARN' && !EXPECTED_WARNINGS.test(message) ? log.warn(meta(m), message) : log.debug(meta(m), message)),
        trace: (m, x) => log.trace(meta(x), m),
        debug: (m, x) => log.debug(meta(x), m),
        info: (m, x) => log.debug(meta(x), m),
        warn: (m, x) => (EXPECTED_WARNINGS.test(m) ? log.debug(meta(x), m) : log.warn(meta(x), m)),
        error: (m, x) => log.error(meta(x), m),
      },
    });
  } catch (e) {
    log.debug({ err: e }, 'the Temporal runtime was already installed');
  }
}
