/** An IPv6 literal needs brackets in a URL and a Host header. */
export function urlHost(domain: string): string {
  return domain.includes(':') ? `[${domain}]` : domain;
}
