/** Structured logging (pino) to stderr, so that stdout stays for what commands print. */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, name = 'rbm'): Logger {
  return pino({ name, level }, pino.destination(2));
}
