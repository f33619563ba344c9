// Upstream's compose file → the install's: rendered as Appwrite's installer does, checked for what the
// rules cannot harden (refused unless accepted), then hardened rule by rule.
import type { Answers } from './answers.js';
import { renderLikeInstaller } from './render/generator.js';
import { harden } from './rules/index.js';
import { findUnknowns } from './rules/refuse.js';
import type { RenderedCompose } from '../types.js';
import type { Template } from './template.js';
import { sha256 } from '../../engine/state.js';
import { APPWRITE_IMAGE } from './upstream/types.js';

export type { RenderedCompose } from '../types.js';

export function renderCompose(t: Template, a: Answers, accepted: ReadonlySet<string> = new Set()): RenderedCompose {
  const doc = renderLikeInstaller(t.compose, {
    database: a.db === 'external' ? undefined : a.dbEngine,
    topology: a.topology,
    assistant: false,
  });
  // A variable accepted by name is generated too (templateFromUpstream), but still reported as accepted.
  const all = findUnknowns(doc, t.upstream, new Set(t.secrets.generate.filter((n) => !accepted.has(n))));
  const files: { path: string; content: string; mode: number }[] = [];
  harden({ doc, answers: a, accepted, files });
  // Names the image, not how this run got its files (image or the install's cache of it): a re-run that reads
  // the cache must render the same bytes, or a same-answers re-run would rewrite the file.
  const origin = t.upstream.imageId
    ? `image ${APPWRITE_IMAGE}:${t.version} ${t.upstream.imageId.replace(/^sha256:/, '').slice(0, 12)}`
    : t.upstream.source;
  doc.commentBefore = [
    ` Appwrite ${t.version}: upstream's own docker-compose.yml (sha256 ${sha256(t.compose).slice(0, 16)}…, read from`,
    ` ${origin}), rendered as Appwrite's installer does and hardened by harden-init's rules`,
    ' (see its README, "Hardening rules"). Holds no secrets: values come from .env beside it.',
  ].join('\n');
  return {
    text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }),
    files,
    findings: all.filter((f) => !accepted.has(f.subject)),
    accepted: all.filter((f) => accepted.has(f.subject)),
  };
}
