// The engine's plan() for the Appwrite target, with the options tests use most spelled as before
// (dbPassword / smtpPassword instead of secretValues).
import { plan as enginePlan, type PlanOptions, type Plan } from '../../src/engine/plan.js';
import { appwrite } from '../../src/targets/appwrite/index.js';
import type { Existing } from '../../src/engine/existing.js';
import type { TargetTemplate, Target, BaseAnswers } from '../../src/targets/types.js';

export type TestPlanOptions = Omit<PlanOptions, 'target' | 'random'> & {
  dbPassword?: string;
  smtpPassword?: string;
  target?: PlanOptions['target'];
  random?: () => string;
};

export function plan(answers: object, existing: Existing, t: TargetTemplate, opts: TestPlanOptions): Plan {
  const { dbPassword, smtpPassword, target, random, ...rest } = opts;
  const secretValues = { ...rest.secretValues };
  if (dbPassword !== undefined) secretValues._APP_DB_PASS = dbPassword;
  if (smtpPassword !== undefined) secretValues._APP_SMTP_PASSWORD = smtpPassword;
  return enginePlan(answers as Record<string, unknown>, existing, t, {
    ...rest,
    secretValues,
    random: random ? () => random() : undefined,
    target: target ?? (appwrite as unknown as Target<BaseAnswers>),
  });
}
