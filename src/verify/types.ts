// What verification and `check` need to know of a running stack, whatever the product: each target fills these in
// (the contract's `verify` group in src/targets/types.ts); the generic readers here and in src/audit/ use them.

/** How verification reads what a running service holds. */
export interface RunningConfig {
  /** Services to ask, each with the variable names it receives from .env. */
  services(composeText: string): Map<string, string[]>;
  /** The command run in each service with `compose exec -T`. */
  command: string[];
  parse(output: string): Map<string, string>;
  /** How the reader is named in messages ("vars", "printenv"). */
  label: string;
}

export interface HealthProbe {
  path: string;
  /** Judges one response; ok means the application is up. */
  judge(status: number, body: string, location: string | undefined): { ok: boolean; detail: string };
}

/** One live check beyond the configuration comparison (e.g. "auto-login is refused"). */
export interface LiveCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** Runs a command in a running service (compose exec -T), for live checks. */
export type ServiceExec = (service: string, argv: string[]) => Promise<{ exitCode: number; stdout: string }>;
