/**
 * How a connector says what went wrong. `permanent` failures (an invalid configuration, a 4xx answer,
 * a body that is not what the source should send) are not retried: the activity turns them into
 * ApplicationFailure.nonRetryable. Anything else (a 5xx, a timeout, a refused connection) is retried
 * with backoff. Messages are for the M&E officer reading the gather log: they say what to check.
 */
export type SourceFailureKind = 'invalid_configuration' | 'rejected_by_source' | 'bad_answer' | 'source_unavailable';

export class SourceFailure extends Error {
  override readonly name = 'SourceFailure';
  constructor(readonly kind: SourceFailureKind, message: string) {
    super(message);
  }
  get permanent(): boolean {
    return this.kind !== 'source_unavailable';
  }
  static configuration = (message: string) => new SourceFailure('invalid_configuration', message);
  static rejected = (message: string) => new SourceFailure('rejected_by_source', message);
  static badAnswer = (message: string) => new SourceFailure('bad_answer', message);
  static unavailable = (message: string) => new SourceFailure('source_unavailable', message);
}

/** The failure types the gather workflow's retry policy does not retry. */
export const PERMANENT_FAILURE_TYPES: SourceFailureKind[] = ['invalid_configuration', 'rejected_by_source', 'bad_answer'];
