// Which images are Appwrite's: the one place that knows the image name (check, backup and restore ask through the
// contract's `recognize` when state.json does not name the target). Light on purpose: the registry loads it for --help.
import type { Recognized } from '../types.js';

const IMAGE = /^(?:docker\.io\/)?appwrite\/appwrite(?:[:@]|$)/;
const TAGGED = /^(?:docker\.io\/)?appwrite\/appwrite:(\d+\.\d+\.\d+)$/;

/** `appwrite/appwrite:1.9.6` → Appwrite 1.9.6; another image → undefined. */
export function recognize(image: string): Recognized | undefined {
  if (!IMAGE.test(image)) return undefined;
  return { target: 'appwrite', release: TAGGED.exec(image)?.[1] };
}
