// Rule violations found below the API (repositories, services). The API turns them into problem+json;
// activities turn them into non-retryable failures. Neither layer has to know the other.

export class DomainError extends Error {
  constructor(
    message: string,
    /** Machine-readable reason, e.g. `barcode-taken`; becomes the problem `type`. */
    readonly reason: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The thing named does not exist. */
export class NotFoundError extends DomainError {}
/** The request collides with the current state (a taken barcode, a document past the step asked for). */
export class ConflictError extends DomainError {}
/** Well-formed, but cannot be carried out as asked (e.g. approving for a warehouse JD does not run). */
export class UnprocessableError extends DomainError {}
