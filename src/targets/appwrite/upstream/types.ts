// What harden-init reads of one Appwrite release: the files Appwrite's own installer renders from, taken
// from the release image (or, without Docker, from a release description or the install's own cache).

/** One entry of app/config/variables.php, read as text. */
export interface UpstreamVariable {
  name: string;
  /** The `default` value ('' when none). */
  default: string;
  /** The `filter` mark: 'token' and 'password' mean the installer generates a secret for it. */
  filter: string;
  required: boolean;
}

export interface UpstreamFiles {
  /** The release, e.g. "2.7.1". */
  version: string;
  /** The image's content id (`docker image inspect --format {{.Id}}`), when read from an image. */
  imageId?: string;
  /** /usr/local/share/appwrite/docker-compose.yml, byte-exact. */
  compose: string;
  /** /usr/src/code/app/config/variables.php, parsed. */
  variables: UpstreamVariable[];
  /** The raw text of variables.php (what the cache and a release description keep, byte-exact). */
  variablesPhp?: string;
  /** `ls /usr/local/bin` of the image: the executables a service may use as entrypoint. */
  executables: string[];
  /** Where it came from, for the summary: "image appwrite/appwrite:2.7.1", "cache", "description <dir>". */
  source: string;
}

/** Paths inside the release image (as the 1.9.6 and 2.0-era Dockerfiles put them). */
export const IMAGE_PATHS = {
  compose: '/usr/local/share/appwrite/docker-compose.yml',
  variables: '/usr/src/code/app/config/variables.php',
  bin: '/usr/local/bin',
} as const;

export const APPWRITE_IMAGE = 'appwrite/appwrite';
