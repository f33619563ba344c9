// Secrets around the plan: those the operator supplies (never a flag), the first password shown once, and the
// well-known example values an adopted install keeps, rotated once the stack runs.
import { join } from 'node:path';
import { usageError } from '../../core/errors.js';
import { shellQuote } from '../../core/shell-quote.js';
import { askDbPassword, confirmWrite } from '../../ui/wizard.js';
import { stackContext } from '../../install/verify-report.js';
import { getEnv, parseEnv, toRecord } from '../../engine/envfile.js';
import { generateSecret, KNOWN_WEAK_VALUES } from '../../engine/secrets.js';
import { COMPOSE_FILE } from '../../engine/plan.js';
import { readRegular } from '../../core/safe-fs.js';
import { passwordError } from '../../core/validate.js';
import type { Compose } from '../../docker/compose.js';
import type { BaseAnswers } from '../../targets/types.js';
import type { AnsweredContext, PlannedContext } from './context.js';

/**
 * Secrets the operator supplies (an external database's password, SMTP): never a flag (it would show in
 * `ps`); from their environment variable, else kept from .env, else asked with a masked prompt.
 */
export async function operatorSecrets(
  c: Pick<AnsweredContext, 'io' | 'ui' | 'target' | 'answers' | 'existing' | 'current' | 'interactive'>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const input of c.target.render.secretInputs) {
    if (!input.when(c.answers)) continue;
    const fromEnv = c.io.env[input.envVar];
    if (fromEnv !== undefined) {
      const err = passwordError(fromEnv) ?? input.validate?.(fromEnv);
      if (err) throw usageError(`${input.envVar}: ${err}`);
      out[input.key] = fromEnv;
      continue;
    }
    if (
      c.existing.env &&
      getEnv(c.existing.env, input.key) &&
      input.keepExisting(c.answers, c.current as Partial<BaseAnswers>)
    )
      continue;
    if (c.interactive) {
      out[input.key] = await askDbPassword(c.ui, input.prompt, input.validate);
      continue;
    }
    if (input.required)
      throw usageError(
        `${input.key} is missing: set ${input.envVar} (it is never taken as a flag, ` +
          `which would show in the process list).`,
      );
  }
  return out;
}

/**
 * A first password the operator needs (e.g. Langflow's superuser): where it is. Its value only with --show-secrets:
 * output often ends in a log (CI, a terminal multiplexer's scrollback) that outlives the secret's first use.
 */
export function showOnce(c: Pick<PlannedContext, 'target' | 'req' | 'ui' | 'dir' | 'plan'>): void {
  const { req, ui, plan } = c;
  const keys = (c.target.render.showOnce ?? []).filter((k) => plan.generatedSecrets.includes(k) || req.showSecrets);
  if (keys.length === 0 || req.json) return;
  const envPath = join(c.dir, '.env');
  if (!req.showSecrets) {
    ui.note(
      keys.map((k) => `${k}: in ${envPath} (mode 0600); read it with: grep '^${k}=' ${shellQuote(envPath)}`).join('\n'),
      'Your first password (not printed; --show-secrets prints it)',
    );
    return;
  }
  const env = toRecord(parseEnv(plan.files.find((x) => x.path === '.env')!.content));
  ui.note(
    keys.map((k) => `${k}=${env[k] ?? ''}`).join('\n'),
    'Shown as asked (--show-secrets): store it now (it is in .env, mode 0600)',
  );
}

/**
 * Secrets .env keeps from another installer with a published example value (your-secret-key, password, ...), that
 * rotate-secret can change safely (encryption keys never are): their names.
 */
export async function wellKnownRotatable(
  c: Pick<PlannedContext, 'plan' | 'template' | 'dir' | 'target'>,
): Promise<string[]> {
  const envFile = c.plan.files.find((x) => x.path === '.env');
  if (!envFile) return [];
  const env = toRecord(parseEnv(envFile.content));
  const names = c.plan.keptSecrets.filter(
    (k) => KNOWN_WEAK_VALUES.has(env[k] ?? '') && !c.template.secrets.encryptionKeys.includes(k),
  );
  if (!names.length) return [];
  const { rotationsFor } = await import('../rotate-secret.js');
  const composeText = readRegular(join(c.dir, COMPOSE_FILE)) ?? '';
  const out: string[] = [];
  for (const n of names) {
    try {
      await rotationsFor(c.target.id, [n], envFile.content, composeText);
      out.push(n);
    } catch {
      /* not rotatable here: the warning stays */
    }
  }
  return out;
}

/** After a verified start: the well-known example values are rotated (asked first; with --yes done and said). */
export async function rotateWellKnown(c: PlannedContext, composeTool: Compose): Promise<void> {
  const { req, ui, dir, dirArg, target, template, plan } = c;
  const names = await wellKnownRotatable(c);
  if (!names.length) return;
  const what =
    `${names.join(', ')} ${names.length === 1 ? 'holds a' : 'hold'} well-known ` +
    `example value${names.length === 1 ? '' : 's'}`;
  if (req.yes)
    ui.info(
      `${what}: rotating ${names.length === 1 ? 'it' : 'them'} now (--yes): ` +
        `database first, then .env, recreate, verify.`,
    );
  else if (
    !c.interactive ||
    !(await confirmWrite(
      ui,
      `${what}. Rotate ${names.length === 1 ? 'it' : 'them'} now (database first, then .env, recreate, verify)?`,
      true,
    ))
  ) {
    ui.warn(
      `Not rotated: ${what}. Rotate later with: harden-init rotate-secret ` +
        `${names.join(' ')} --dir ${shellQuote(dirArg)}`,
    );
    return;
  }
  const { rotateSecrets } = await import('../rotate-secret.js');
  const r = await rotateSecrets({
    ui,
    dir,
    compose: composeTool,
    targetId: target.id,
    composeText: readRegular(join(dir, COMPOSE_FILE)) ?? '',
    envText: readRegular(join(dir, '.env')) ?? '',
    names,
    stack: () => stackContext(ui, req, dir, composeTool, target, plan.answers, template, c.io.env),
    generate: (n) => target.render.generateSecret?.(n) ?? generateSecret(),
  });
  ui.success(
    `Rotated ${r.rotated.join(', ')}: new crypto-random values in .env (never ` +
      `printed), the stack recreated and verified.`,
  );
}
