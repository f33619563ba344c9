// The wizard (the default command): argv → target → release → answers → plan → (dry-run | apply) → start →
// verify. One run, first install or re-run; everything product-specific comes from the target through its contract.
// start.ts runs up to the answers and loads only what the first question needs; answered.ts, everything after them,
// is imported once they are in.
import type { SetupRequest as Request } from '../requests.js';
import type { ReleaseRead } from '../../install/release-read.js';
import type { Io } from '../../core/io.js';
import { beforeAnswers } from './start.js';

export async function setup(req: Request, version: string, io: Io): Promise<number> {
  const reads: ReleaseRead[] = [];
  try {
    const { ctx, answers } = await beforeAnswers(req, version, io, reads);
    return await (await import('./answered.js')).afterAnswers(ctx, answers);
  } finally {
    for (const r of reads) r.stop(); // a read still running (a pull) must not outlive the run that needed it
  }
}
