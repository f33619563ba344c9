// Upstream's compose, rendered like its installer, then hardened by these rules in this order.
import type { Rule, HardenContext } from './types.js';
import { pinImage } from './pin-image.js';
import { publishGatewayOnly } from './publish.js';
import { internalDataNetwork } from './data-network.js';
import { restartAndNoNewPrivileges } from './restart-privileges.js';
import { durableDatabase } from './durable-db.js';
import { traefikFileProvider } from './traefik-file.js';
import { gatewayNoPhoneHome, proxyForwardedHeaders } from './gateway-flags.js';
import { consoleHttps } from './console-routes.js';
import { fixedGatewayAddress } from './trusted-proxies.js';
import { databaseLocation } from './db-location.js';
import { logRotation } from './log-rotation.js';
import { resourceLimits } from './limits.js';

export const RULES: Rule[] = [
  pinImage,
  publishGatewayOnly,
  databaseLocation,
  internalDataNetwork,
  gatewayNoPhoneHome,
  fixedGatewayAddress,
  proxyForwardedHeaders,
  consoleHttps,
  // After every rule that changes labels: the routes are read from them.
  traefikFileProvider,
  durableDatabase,
  logRotation,
  resourceLimits,
  restartAndNoNewPrivileges,
];

export function harden(ctx: HardenContext): void {
  for (const rule of RULES) rule.apply(ctx);
}

export type { Rule, HardenContext };
