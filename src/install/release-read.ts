// The release's files are read while the wizard asks its questions: on a fresh server that read is a whole image
// pull (minutes), and even with the image present it is three throw-away containers, while the questions only need
// the release, which the release table tells at once. After the last answer the read's progress is shown until it is
// done; Ctrl-C then ends it (the pull and its containers) and the run exits 130 with nothing written.
import * as p from '@clack/prompts';
import pc from 'picocolors';
import { CliError, EXIT } from '../core/errors.js';
import type { Ui } from '../ui/ui.js';
import type { BaseAnswers, Begun, PrepareInput, Prepared, Target } from '../targets/types.js';

export type ReadInput = Omit<PrepareInput<BaseAnswers>, 'onLine' | 'signal'>;

export interface ReleaseRead extends Omit<Begun, 'read'> {
  /**
   * After the answers: the read's result (its progress shown until it is done). An answered release other than the
   * one being read starts the read again for it, its warnings and notes said first.
   */
  wait(release: string): Promise<Prepared>;
  /** Ends the read if it still runs (the run stops for another reason); nothing when it is done. */
  stop(): void;
}

/** The progress line shown for a pull line: one line of the terminal, never wrapped. */
const MAX_LINE = 72;

export async function startRead(target: Pick<Target<BaseAnswers>, 'title' | 'begin' | 'prepare'>, input: ReadInput, o: { ui: Ui; live: boolean }): Promise<ReleaseRead> {
  let controller = new AbortController();
  // Until wait(): a live terminal keeps only the newest line (the spinner shows it), a log keeps them all for later.
  let sink: ((line: string) => void) | undefined;
  let held: string[] = [];
  let last: string | undefined;
  const onLine = (line: string) => {
    last = line;
    if (sink) sink(line);
    else if (!o.live) held.push(line);
  };
  let settled = false;
  const begin = async (given: Partial<BaseAnswers>): Promise<Begun> => {
    settled = false;
    held = [];
    last = undefined;
    const full = { ...input, given, onLine, signal: controller.signal };
    let begun: Begun;
    if (target.begin) {
      begun = target.begin(full);
    } else {
      // A target that reads nothing slow: prepare is awaited now, its result is the read.
      const prepared = await target.prepare(full);
      const { warnings, notes } = prepared;
      begun = { release: prepared.release, warnings, notes, encryptionKeys: prepared.template.secrets.encryptionKeys, read: Promise.resolve({ ...prepared, warnings: [], notes: [] }) };
    }
    begun.read.then(() => { settled = true; }, () => { settled = true; });
    return begun;
  };

  let begun = await begin(input.given);
  const show = (b: Begun) => {
    for (const w of b.warnings) o.ui.warn(w);
    for (const n of b.notes) o.ui.info(n);
  };

  const wait = async (release: string): Promise<Prepared> => {
    if (release !== begun.release) {
      controller.abort();
      controller = new AbortController();
      begun = await begin({ ...input.given, release });
      show(begun);
    }
    const { read } = begun;
    const title = `${target.title} ${begun.release}`;
    if (!o.live) {
      for (const l of held) o.ui.raw(pc.dim(`│  ${l}`));
      held = [];
      sink = (l) => o.ui.raw(pc.dim(`│  ${l}`));
      return read;
    }
    if (settled) return read;
    const label = (line: string | undefined) => (line === undefined ? `Reading ${title}'s files` : `Reading ${title}'s files: ${line.trim().slice(0, MAX_LINE)}`);
    const mine = controller;
    // The spinner takes SIGINT (Node then no longer exits by itself) and hands it to onCancel: the read is ended.
    const spin = p.spinner({ indicator: 'timer', onCancel: () => mine.abort(), cancelMessage: `Stopped reading ${title}'s files`, ...o.ui.streams });
    const keys = o.ui.streams.input as NodeJS.ReadStream | undefined; // the run's stdin (a live run has one)
    const before = new Set(keys?.listeners('keypress'));
    spin.start(label(last));
    // The spinner also puts the terminal in raw mode, where its key handler answers Ctrl-C (and Esc) with
    // process.exit(0): exit 0, the reading containers left behind. Back in normal mode the terminal turns Ctrl-C into
    // SIGINT, and the spinner's key handler is taken off so no key ends the process.
    for (const l of keys?.listeners('keypress') ?? []) if (!before.has(l)) keys!.off('keypress', l as (...a: unknown[]) => void);
    if (keys?.isTTY) keys.setRawMode(false);
    sink = (l) => spin.message(label(l));
    try {
      const prepared = await read;
      if (last !== undefined) spin.stop(last.trim().slice(0, MAX_LINE));
      else spin.clear();
      return prepared;
    } catch (e) {
      if (mine.signal.aborted) {
        if (!spin.isCancelled) spin.cancel(`Stopped reading ${title}'s files`);
        throw e instanceof CliError && e.exitCode === EXIT.cancelled ? e : new CliError('Cancelled: nothing was written.', EXIT.cancelled);
      }
      spin.error(`Could not read ${title}'s files`);
      throw e;
    } finally {
      sink = undefined;
    }
  };

  return {
    get release() { return begun.release; },
    get warnings() { return begun.warnings; },
    get notes() { return begun.notes; },
    get encryptionKeys() { return begun.encryptionKeys; },
    wait,
    stop: () => { if (!settled) controller.abort(); },
  };
}
