'use strict';
// Container health probe (Dockerfile HEALTHCHECK and compose healthcheck): exits 0 only when
// GET /health/ready answers 2xx. Plain Node, so the runtime image needs neither curl nor wget.
// PORT is set for every service by compose and Kubernetes; 3001 matches the default command. The
// console image has no PORT: its CONSOLE_PORT (3000 in that image) is used instead.
const timeoutMs = 4000;
const port = Number(process.env.PORT || process.env.CONSOLE_PORT || 3001);
const bindHost = process.env.HOST || '0.0.0.0';
// A wildcard bind address is not a destination; loopback reaches a wildcard listener.
const host = ['0.0.0.0', '::', ''].includes(bindHost) ? '127.0.0.1' : bindHost;

if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`healthcheck: PORT is not a valid port: ${process.env.PORT}`);
  process.exit(1);
}

const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/health/ready`;
fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
  (response) => {
    if (!response.ok) console.error(`healthcheck: ${url} answered ${response.status}`);
    process.exit(response.ok ? 0 : 1);
  },
  (error) => {
    console.error(`healthcheck: ${url} unreachable: ${error.message}`);
    process.exit(1);
  },
);
