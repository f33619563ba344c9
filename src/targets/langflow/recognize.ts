// Which images are Langflow's (langflowai/langflow and its -backend/-frontend variants): the one place that knows the
// image name. Light on purpose: the registry loads it for --help.
import type { Recognized } from '../types.js';
import { releaseOfImage } from './releases.js';

const IMAGE = /^(?:docker\.io\/)?langflowai\/langflow(?:-[a-z]+)?(?:[:@]|$)/;

/** `langflowai/langflow:1.13.1` → Langflow 1.13.1; another image → undefined. */
export function recognize(image: string): Recognized | undefined {
  if (!IMAGE.test(image)) return undefined;
  return { target: 'langflow', release: releaseOfImage(image) };
}
