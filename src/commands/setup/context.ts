// The one context the wizard's steps share. It grows in three stages: what is known before the questions
// (SetupContext), once the answers and the release's files are in (AnsweredContext), and once the plan is made
// (PlannedContext). Each step declares the part it reads as a Pick of one of them.
import type { SetupRequest as Request } from '../requests.js';
import type { Ui } from '../../ui/ui.js';
import type { Io } from '../../core/io.js';
import type { PartialAnswers } from '../../core/question.js';
import type { ReleaseRead } from '../../install/release-read.js';
import type { Existing } from '../../engine/existing.js';
import type { Plan } from '../../engine/plan.js';
import type { Compose } from '../../docker/compose.js';
import type { BaseAnswers, Prepared, Target, TargetEarly, TargetEntry, TargetTemplate } from '../../targets/types.js';

export interface SetupContext {
  req: Request;
  version: string;
  /** The run's environment, working directory and streams. */
  io: Io;
  ui: Ui;
  /** Prompts are shown: a terminal on both ends, and neither --yes nor --json. */
  interactive: boolean;
  entry: TargetEntry;
  /** The part of the target the steps before the questions use (the rest is loaded after the answers). */
  early: TargetEarly;
  /** The install directory, absolute, and as the operator wrote it (for the commands shown to them). */
  dir: string;
  dirArg: string;
  /** The settings given as flags, parsed. */
  given: PartialAnswers;
  /** Said after the title: nothing is printed before it. */
  lockWarnings: string[];
  existing: Existing;
  rerun: boolean;
  /** The answers the install stands for (empty on a first install), and what reading them noticed. */
  current: PartialAnswers;
  currentNotes: string[];
  /** The release's files, read in the background while the questions are asked. */
  read: ReleaseRead;
  /** Only files are written (--no-start or --dry-run): no Docker preflight, no stack start. */
  filesOnly: boolean;
  /** Docker Compose, found by the preflight; undefined when only files are written. */
  composeTool: Compose | undefined;
  /** Database locations, and non-empty database directories, the operator already said yes to in the wizard. */
  movesAccepted: string[];
  pathsAccepted: string[];
}

export interface AnsweredContext extends SetupContext {
  target: Target<BaseAnswers>;
  answers: BaseAnswers;
  prepared: Prepared;
  template: TargetTemplate;
  /** Flags that are not settings, repeated on the command that re-runs without questions. */
  extras: string[];
}

export interface PlannedContext extends AnsweredContext {
  plan: Plan;
  /** .env keys whose values are never shown. */
  sensitive: Set<string>;
  /** The command that repeats this run without questions. */
  command: string;
  written: { written: string[]; backupDir?: string };
}
