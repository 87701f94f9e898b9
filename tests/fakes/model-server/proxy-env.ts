// The environment that makes a fake model server the agent's HTTP(S) proxy: everything not
// addressed to the fake itself goes through it and is logged as foreign (and refused), so a test
// can prove that the agent contacted no other host.

export function proxyThroughFake(origin: string): Record<string, string> {
  return {
    HTTPS_PROXY: origin,
    HTTP_PROXY: origin,
    https_proxy: origin,
    http_proxy: origin,
    NO_PROXY: "127.0.0.1,localhost",
    no_proxy: "127.0.0.1,localhost",
  };
}
