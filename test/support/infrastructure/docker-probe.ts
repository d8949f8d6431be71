import { existsSync } from 'node:fs';
import { request } from 'node:http';

const PROBE_TIMEOUT_MS = 1_500;

type Endpoint = { socketPath: string } | { host: string; port: number };

function dockerEndpoint(): Endpoint | undefined {
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost === undefined || dockerHost === '') {
    return existsSync('/var/run/docker.sock') ? { socketPath: '/var/run/docker.sock' } : undefined;
  }
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375) };
}

/**
 * True when a Docker engine answers `/_ping` within 1.5 s. A Docker client without an engine (as
 * on the machines without Docker) answers false quickly, so testcontainers is not tried there.
 */
export async function dockerEngineAnswers(): Promise<boolean> {
  const endpoint = dockerEndpoint();
  if (endpoint === undefined) return false;
  return new Promise((resolve) => {
    const req = request(
      { ...endpoint, path: '/_ping', method: 'GET', timeout: PROBE_TIMEOUT_MS },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}
