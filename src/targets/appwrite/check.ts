// Refusals that need more than one answer, or the install as it stands.
import type { Answers } from './answers.js';
import { usageError } from '../../core/errors.js';

export function checkExisting(previous: Partial<Answers>, given: Partial<Answers>, rerun: boolean): void {
  if ((previous.dbEngine as string | undefined) === 'mongodb') {
    throw usageError(
      'This install uses MongoDB, which harden-init does not support yet; nothing was changed.',
      "Keep managing it with Appwrite's own installer for now.",
    );
  }
  if (
    rerun &&
    previous.dbEngine !== undefined &&
    given.dbEngine !== undefined &&
    given.dbEngine !== previous.dbEngine
  ) {
    throw usageError(
      `--db-engine ${given.dbEngine}: this install runs ${previous.dbEngine}, and ` +
        `nothing moves data between database engines.`,
      'Keep the engine (leave out --db-engine), or install into a new directory and migrate the data yourself.',
    );
  }
}
