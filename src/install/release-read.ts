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

/** The read's moving parts: replaced when an answered release starts it again. */
interface ReadState {
  target: Pick<Target<BaseAnswers>, 'title' | 'begin' | 'prepare'>;
  input: ReadInput;
  o: { ui: Ui; live: boolean };
  controller: AbortController;
  /** Until wait(): a live terminal keeps only the newest line (the spinner shows it), a log keeps them all. */
  sink: ((line: string) => void) | undefined;
  held: string[];
  last: string | undefined;
  settled: boolean;
  begun: Begun;
}

export async function startRead(
  target: Pick<Target<BaseAnswers>, 'title' | 'begin' | 'prepare'>,
  input: ReadInput,
  o: { ui: Ui; live: boolean },
): Promise<ReleaseRead> {
  const base: Omit<ReadState, 'begun'> = {
    target,
    input,
    o,
    controller: new AbortController(),
    sink: undefined,
    held: [],
    last: undefined,
    settled: false,
  };
  const st: ReadState = Object.assign(base, { begun: await begin(base, input.given) });
  return {
    get release() {
      return st.begun.release;
    },
    get warnings() {
      return st.begun.warnings;
    },
    get notes() {
      return st.begun.notes;
    },
    get encryptionKeys() {
      return st.begun.encryptionKeys;
    },
    wait: (release) => wait(st, release),
    stop: () => {
      if (!st.settled) st.controller.abort();
    },
  };
}

function onLine(st: Omit<ReadState, 'begun'>, line: string): void {
  st.last = line;
  if (st.sink) st.sink(line);
  else if (!st.o.live) st.held.push(line);
}

async function begin(st: Omit<ReadState, 'begun'>, given: Partial<BaseAnswers>): Promise<Begun> {
  const { target } = st;
  st.settled = false;
  st.held = [];
  st.last = undefined;
  const full = { ...st.input, given, onLine: (line: string) => onLine(st, line), signal: st.controller.signal };
  let begun: Begun;
  if (target.begin) {
    begun = target.begin(full);
  } else {
    // A target that reads nothing slow: prepare is awaited now, its result is the read.
    const prepared = await target.prepare(full);
    const { warnings, notes } = prepared;
    begun = {
      release: prepared.release,
      warnings,
      notes,
      encryptionKeys: prepared.template.secrets.encryptionKeys,
      read: Promise.resolve({ ...prepared, warnings: [], notes: [] }),
    };
  }
  begun.read.then(
    () => {
      st.settled = true;
    },
    () => {
      st.settled = true;
    },
  );
  return begun;
}

async function wait(st: ReadState, release: string): Promise<Prepared> {
  const { o } = st;
  if (release !== st.begun.release) {
    st.controller.abort();
    st.controller = new AbortController();
    st.begun = await begin(st, { ...st.input.given, release });
    for (const w of st.begun.warnings) o.ui.warn(w);
    for (const n of st.begun.notes) o.ui.info(n);
  }
  const { read } = st.begun;
  const title = `${st.target.title} ${st.begun.release}`;
  if (!o.live) {
    for (const l of st.held) o.ui.raw(pc.dim(`│  ${l}`));
    st.held = [];
    st.sink = (l) => o.ui.raw(pc.dim(`│  ${l}`));
    return read;
  }
  if (st.settled) return read;
  return waitLive(st, read, title);
}

/** The read's progress on a spinner until it is done; Ctrl-C ends the read, and the run with exit 130. */
async function waitLive(st: ReadState, read: Promise<Prepared>, title: string): Promise<Prepared> {
  const label = (line: string | undefined) =>
    line === undefined ? `Reading ${title}'s files` : `Reading ${title}'s files: ${line.trim().slice(0, MAX_LINE)}`;
  const mine = st.controller;
  // The spinner takes SIGINT (Node then no longer exits by itself) and hands it to onCancel: the read is ended.
  const spin = p.spinner({
    indicator: 'timer',
    onCancel: () => mine.abort(),
    cancelMessage: `Stopped reading ${title}'s files`,
    ...st.o.ui.streams,
  });
  const keys = st.o.ui.streams.input as NodeJS.ReadStream | undefined; // the run's stdin (a live run has one)
  const before = new Set(keys?.listeners('keypress'));
  spin.start(label(st.last));
  // The spinner also puts the terminal in raw mode, where its key handler answers Ctrl-C (and Esc) with
  // process.exit(0): exit 0, the reading containers left behind. Back in normal mode the terminal turns Ctrl-C into
  // SIGINT, and the spinner's key handler is taken off so no key ends the process.
  for (const l of keys?.listeners('keypress') ?? [])
    if (!before.has(l)) keys!.off('keypress', l as (...a: unknown[]) => void);
  if (keys?.isTTY) keys.setRawMode(false);
  st.sink = (l) => spin.message(label(l));
  try {
    const prepared = await read;
    if (st.last !== undefined) spin.stop(st.last.trim().slice(0, MAX_LINE));
    else spin.clear();
    return prepared;
  } catch (e) {
    if (mine.signal.aborted) {
      if (!spin.isCancelled) spin.cancel(`Stopped reading ${title}'s files`);
      throw e instanceof CliError && e.exitCode === EXIT.cancelled
        ? e
        : new CliError('Cancelled: nothing was written.', EXIT.cancelled);
    }
    spin.error(`Could not read ${title}'s files`);
    throw e;
  } finally {
    st.sink = undefined;
  }
}
