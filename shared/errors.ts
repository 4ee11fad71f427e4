// Named errors of the domain. Each maps to one HTTP status in functions/lib/error-handler.ts, nowhere else.

export abstract class DomainError extends Error {
  /** Stable machine-readable code, also the `error` field of an HTTP error body. */
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is malformed: bad JSON, a field out of range, an unknown option. */
export class InvalidInput extends DomainError {
  readonly code = 'InvalidInput';
}

/** No valid identity was presented. */
export class Unauthenticated extends DomainError {
  readonly code = 'Unauthenticated';
}

/** The caller is known but may not do this, or may not see this resource. */
export class Forbidden extends DomainError {
  readonly code = 'Forbidden';
}

export class NotFound extends DomainError {
  readonly code = 'NotFound';
}

/** The request conflicts with the current state (a duplicate, a state that forbids the transition). */
export class Conflict extends DomainError {
  readonly code = 'Conflict';
}

/** The input is well-formed but a business rule rejects it. */
export class RuleViolation extends DomainError {
  readonly code = 'RuleViolation';
}

/** A dependency (ledger, payment provider) is unavailable; retrying later may succeed. */
export class DependencyUnavailable extends DomainError {
  readonly code = 'DependencyUnavailable';
}
