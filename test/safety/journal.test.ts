// Row 7 of issue 8, the pure part: when the journal of an interrupted run is adopted.
import { describe, expect, it } from 'vitest';
import { adoptPending, sha256, type Pending, type State } from '../../src/engine/state.js';

const state = {
  schema: 1,
  target: 'appwrite',
  templateVersion: '2.7.1',
  answers: { domain: 'new.example.com' },
  composeSha256: sha256('new compose'),
} as unknown as State;
const pending: Pending = {
  schema: 1,
  state,
  after: { '.env': sha256('new env'), 'docker-compose.yml': sha256('new compose') },
  before: { '.env': sha256('old env'), 'docker-compose.yml': sha256('old compose') },
};

describe('adoptPending', () => {
  it('every file old or new, at least one new: adopted; the compose on disk is recorded as ours', () => {
    expect(adoptPending(pending, { '.env': 'new env', 'docker-compose.yml': 'new compose' })).toEqual(state);
    expect(adoptPending(pending, { '.env': 'new env', 'docker-compose.yml': 'old compose' })).toEqual({
      ...state,
      composeSha256: sha256('old compose'),
    });
  });
  it('nothing written yet: ignored (a failed run must not impose its answers)', () => {
    expect(adoptPending(pending, { '.env': 'old env', 'docker-compose.yml': 'old compose' })).toBeUndefined();
  });
  it('a file that is neither (a hand edit since): ignored', () => {
    expect(adoptPending(pending, { '.env': 'hand edited', 'docker-compose.yml': 'new compose' })).toBeUndefined();
  });
  it('a file that did not exist before may still be missing', () => {
    const p: Pending = { ...pending, before: { '.env': null, 'docker-compose.yml': null } };
    expect(adoptPending(p, { '.env': 'new env', 'docker-compose.yml': undefined })).toMatchObject({
      answers: { domain: 'new.example.com' },
    });
  });
});
