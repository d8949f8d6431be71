// The container health probe, run as Docker runs it (`node healthcheck.js` with the service's
// environment), against a real HTTP server on loopback.
import { execFile } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { repositoryRoot } from './manifests';

const script = join(repositoryRoot, 'deploy', 'docker', 'healthcheck.js');

interface ProbeResult {
  readonly exitCode: number;
  readonly stderr: string;
}

function runProbe(environment: Record<string, string>): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script],
      { env: { PATH: process.env.PATH ?? '', ...environment }, timeout: 20_000 },
      (error, _stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ exitCode: code, stderr });
      },
    );
  });
}

async function startServer(status: number, paths: string[]): Promise<Server> {
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    response.writeHead(request.url === '/health/ready' ? status : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: Server) => String((server.address() as AddressInfo).port);
const close = (server: Server) => new Promise((resolve) => server.close(resolve));

describe('deploy/docker/healthcheck.js', () => {
  it('exits 0 when GET /health/ready answers 200 on the service port', async () => {
    const paths: string[] = [];
    const server = await startServer(200, paths);
    try {
      const result = await runProbe({ PORT: portOf(server), HOST: '0.0.0.0' });
      expect(result).toEqual({ exitCode: 0, stderr: '' });
      expect(paths).toEqual(['/health/ready']);
    } finally {
      await close(server);
    }
  });

  it('exits 1 and says why when the service is not ready', async () => {
    const server = await startServer(503, []);
    try {
      const result = await runProbe({ PORT: portOf(server), HOST: '127.0.0.1' });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('answered 503');
    } finally {
      await close(server);
    }
  });

  it('exits 1 when nothing listens on the port', async () => {
    const server = await startServer(200, []);
    const port = portOf(server);
    await close(server);
    const result = await runProbe({ PORT: port });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('unreachable');
  });

  it('exits 1 on a PORT that is not a port, naming the variable', async () => {
    const result = await runProbe({ PORT: 'http' });
    expect(result).toEqual({ exitCode: 1, stderr: expect.stringContaining('PORT') });
  });
});
