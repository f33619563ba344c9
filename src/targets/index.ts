// The registry of targets: adding one is a folder under src/targets/ and one line here.
import type { Recognized, TargetEntry } from './types.js';
import { QUESTIONS as APPWRITE_QUESTIONS } from './appwrite/questions.js';
import { QUESTIONS as LANGFLOW_QUESTIONS } from './langflow/questions.js';
import { recognize as recognizeAppwrite } from './appwrite/recognize.js';
import { recognize as recognizeLangflow } from './langflow/recognize.js';

export const TARGETS: Record<string, TargetEntry> = {
  appwrite: {
    id: 'appwrite',
    title: 'Appwrite',
    questions: APPWRITE_QUESTIONS,
    recognize: recognizeAppwrite,
    load: async () => (await import('./appwrite/index.js')).appwrite,
    early: async () => (await import('./appwrite/early.js')).appwriteEarly,
  },
  langflow: {
    id: 'langflow',
    title: 'Langflow',
    questions: LANGFLOW_QUESTIONS,
    recognize: recognizeLangflow,
    load: async () => (await import('./langflow/index.js')).langflow,
  },
};

export const DEFAULT_TARGET = 'appwrite';

/**
 * The target a set of images belongs to: the first target (in the registry's order) that recognizes any of them,
 * with the release of the first image it recognizes.
 */
export function recognizeImages(images: string[]): Recognized | undefined {
  for (const entry of Object.values(TARGETS)) {
    for (const image of images) {
      const found = entry.recognize(image);
      if (found) return found;
    }
  }
  return undefined;
}
