// The registry of targets: adding one is a folder under src/targets/ and one line here.
import type { TargetEarly, TargetEntry } from './types.js';
import { QUESTIONS as APPWRITE_QUESTIONS } from './appwrite/questions.js';
import { QUESTIONS as LANGFLOW_QUESTIONS } from './langflow/questions.js';

const entry = (id: string, title: string, questions: unknown[], load: () => Promise<unknown>, early?: () => Promise<unknown>): TargetEntry =>
  ({ id, title, questions, load, ...(early ? { early: early as () => Promise<TargetEarly> } : {}) } as TargetEntry);

export const TARGETS: Record<string, TargetEntry> = {
  appwrite: entry('appwrite', 'Appwrite', APPWRITE_QUESTIONS, async () => (await import('./appwrite/index.js')).appwrite,
    async () => (await import('./appwrite/early.js')).appwriteEarly),
  langflow: entry('langflow', 'Langflow', LANGFLOW_QUESTIONS, async () => (await import('./langflow/index.js')).langflow),
};

export const DEFAULT_TARGET = 'appwrite';
