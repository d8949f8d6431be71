// What can be checked about the images and their orchestration without a Docker engine or a
// cluster: base image, non-root users, health checks wired to /health/ready, drain timing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  composeDurationMs,
  dockerfileInstructions,
  JOBS,
  loadComposeServices,
  readRepositoryFile,
  repositoryRoot,
  serviceEntryPoint,
  SERVICES,
  type ServiceName,
} from './manifests';

const CONSOLE_ENTRY_POINT = 'dist/apps/console/server/main.js';
import {
  containerEnvironment,
  containersOf,
  K8sObject,
  overlayDirectories,
  podSpecOf,
  renderKustomization,
} from './kustomize';

/** FROM images with global ARG defaults substituted, and the stages they start. */
function dockerStages() {
  const instructions = dockerfileInstructions();
  const firstFrom = instructions.findIndex((entry) => entry.instruction === 'FROM');
  const globalArguments = new Map(
    instructions
      .slice(0, firstFrom)
      .filter((entry) => entry.instruction === 'ARG')
      .map((entry) => entry.argument.split('=') as [string, string]),
  );
  const stages: { image: string; name?: string; body: typeof instructions }[] = [];
  for (const entry of instructions.slice(firstFrom)) {
    if (entry.instruction !== 'FROM') {
      stages.at(-1)?.body.push(entry);
      continue;
    }
    const [image = '', , name] = entry.argument.split(/\s+/);
    const resolved = image.replace(
      /\$\{(\w+)\}/g,
      (_, key: string) => globalArguments.get(key) ?? '',
    );
    stages.push({ image: resolved, name, body: [] });
  }
  return stages;
}

/** The pause a preStop hook adds before SIGTERM: `sleep N` as exec or as the sleep action. */
function preStopPauseMs(container: Record<string, unknown>): number {
  const preStop = (container.lifecycle as { preStop?: Record<string, unknown> } | undefined)
    ?.preStop;
  if (preStop === undefined) return 0;
  const sleep = preStop.sleep as { seconds?: number } | undefined;
  const command = (preStop.exec as { command?: string[] } | undefined)?.command ?? [];
  const seconds = sleep?.seconds ?? (command[0] === 'sleep' ? Number(command[1]) : NaN);
  if (!Number.isFinite(seconds))
    throw new Error(`unrecognised preStop hook ${JSON.stringify(preStop)}`);
  return seconds * 1000;
}

describe('Dockerfile', () => {
  const stages = dockerStages();
  const runtime = stages.at(-1);
  const runtimeArguments = (instruction: string) =>
    runtime?.body
      .filter((entry) => entry.instruction === instruction)
      .map((entry) => entry.argument);

  it('builds every external stage from an exact Node 24 release', () => {
    const external = stages.filter(({ image }) => !stages.some((stage) => stage.name === image));
    expect(external.length).toBeGreaterThan(0);
    for (const { image } of external) expect(image).toMatch(/^node:24\.\d+\.\d+-[a-z]+(-slim)?$/);
  });

  it('runs as a numeric non-root user, so Kubernetes can verify runAsNonRoot', () => {
    const [user] = runtimeArguments('USER') ?? [];
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
  });

  it('ships production dependencies only, from their own npm ci stage', () => {
    const copy = runtime?.body.find((entry) => /node_modules/.test(entry.argument));
    const from = /--from=(\S+)/.exec(copy?.argument ?? '')?.[1];
    const source = stages.find((stage) => stage.name === from);
    expect(source?.body.map((entry) => entry.argument)).toContainEqual(
      expect.stringMatching(/npm ci --omit=dev/),
    );
  });

  it('builds the console image non-root, under tini, checked on /health/ready, from the Vite build', () => {
    const stage = stages.find((candidate) => candidate.name === 'console');
    const argumentsOf = (instruction: string) =>
      stage?.body.filter((entry) => entry.instruction === instruction).map((e) => e.argument) ?? [];
    expect(argumentsOf('USER')).toEqual([expect.stringMatching(/^[1-9]\d*(:[1-9]\d*)?$/)]);
    expect(argumentsOf('ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--", "node"]']);
    expect(argumentsOf('CMD')).toEqual([`["${CONSOLE_ENTRY_POINT}"]`]);
    expect(argumentsOf('HEALTHCHECK').join(' ')).toMatch(/"node", "healthcheck\.js"/);
    expect(argumentsOf('COPY')).toEqual(
      expect.arrayContaining([
        '--chown=root:root --from=build /app/dist/console ./dist/console',
        '--chown=root:root --from=prod-deps /app/node_modules ./node_modules',
      ]),
    );
    const packageJson = JSON.parse(readRepositoryFile('package.json')) as {
      scripts: Record<string, string>;
    };
    expect(packageJson.scripts.build).toContain('build:console');
    // The services' image stays the default target.
    expect(stages.at(-1)?.name).toBe('runtime');
  });

  it('checks health on /health/ready, stops on SIGTERM and runs under tini', () => {
    expect(runtimeArguments('HEALTHCHECK')?.join(' ')).toMatch(/"node", "healthcheck\.js"/);
    expect(readRepositoryFile('deploy/docker/healthcheck.js')).toContain('/health/ready');
    expect(runtimeArguments('STOPSIGNAL')).toEqual(['SIGTERM']);
    expect(runtimeArguments('ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--", "node"]']);
  });

  it('copies every source folder the build compiles, and the build context allows it', () => {
    const tsconfig = JSON.parse(readRepositoryFile('tsconfig.build.json')) as { include: string[] };
    const folders = new Set(tsconfig.include.map((pattern) => pattern.split('/')[0] ?? ''));
    const copies = stages.flatMap((stage) => stage.body.filter((e) => e.instruction === 'COPY'));
    const dockerignore = readRepositoryFile('.dockerignore').split(/\r?\n/);
    for (const folder of folders) {
      expect(copies.map((entry) => entry.argument)).toContain(`${folder} ./${folder}`);
      expect(dockerignore).toContain(`!${folder}`);
    }
  });
});

describe('the entry points named by compose and Kubernetes', () => {
  const sources = [
    ...SERVICES.map(({ service }) => serviceEntryPoint(service)),
    CONSOLE_ENTRY_POINT,
    ...JOBS.map(({ script }) => script),
  ].map((script) => script.replace(/^dist\//, '').replace(/\.js$/, '.ts'));

  it.each(sources)('%s exists, so the build emits it', (source) => {
    expect(existsSync(join(repositoryRoot, source))).toBe(true);
  });
});

describe('docker-compose.yml', () => {
  const services = loadComposeServices();
  const raw = (name: string) => services.get(name)?.raw ?? {};

  it('runs the official Apache Kafka 4 image in KRaft mode, one replica for internal topics', () => {
    expect(services.get('kafka')?.image).toMatch(/^apache\/kafka:4\.\d+\.\d+$/);
    const environment = services.get('kafka')?.environment ?? {};
    expect(environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(environment.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(environment.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    const brokers = services.get('allocation')?.environment.KAFKA_BROKERS;
    expect(environment.KAFKA_ADVERTISED_LISTENERS).toContain(`://${brokers}`);
  });

  it('runs the same Kafka release as the local broker scripts and the local overlay', () => {
    const local = /KAFKA_VERSION:-(\d+\.\d+\.\d+)/.exec(readRepositoryFile('scripts/kafka.sh'));
    expect(local?.[1]).toBeDefined();
    expect(services.get('kafka')?.image).toBe(`apache/kafka:${local?.[1]}`);
    expect(readRepositoryFile('deploy/k8s/overlays/local/kafka.yaml')).toContain(
      `image: apache/kafka:${local?.[1]}`,
    );
  });

  it('runs PostgreSQL 16 or 17 with a health check', () => {
    expect(services.get('postgres')?.image).toMatch(/^postgres:1[67](\D|$)/);
    expect(raw('postgres').healthcheck).toBeDefined();
  });

  it.each(SERVICES.map(({ service }) => service))(
    '%s runs our image, non-root, checked on /health/ready, after its dependencies',
    (service) => {
      const compose = services.get(service);
      expect(compose?.image).toBe('plafond:local');
      expect(compose?.command).toEqual([serviceEntryPoint(service)]);
      expect(raw(service).user).toBeUndefined();
      expect(raw(service).healthcheck).toMatchObject({ test: ['CMD', 'node', 'healthcheck.js'] });
      expect(raw(service).depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        kafka: { condition: 'service_healthy' },
        'kafka-init': { condition: 'service_completed_successfully' },
        migrate: { condition: 'service_completed_successfully' },
      });
    },
  );

  it('runs the console from its own image stage, after the three services are healthy', () => {
    const compose = services.get('console');
    expect(compose?.image).toBe('plafond-console:local');
    expect(raw('console').build).toMatchObject({ target: 'console' });
    expect(compose?.command).toEqual([CONSOLE_ENTRY_POINT]);
    expect(compose?.environment.CONSOLE_PORT).toBe('3000');
    expect(raw('console').ports).toEqual(['3000:3000']);
    expect(raw('console').healthcheck).toMatchObject({ test: ['CMD', 'node', 'healthcheck.js'] });
    expect(raw('console').depends_on).toEqual({
      allocation: { condition: 'service_healthy' },
      ingestion: { condition: 'service_healthy' },
      billing: { condition: 'service_healthy' },
    });
    for (const { service, port } of SERVICES) {
      const variable = `${service.toUpperCase()}_URL`;
      expect(compose?.environment[variable]).toBe(`http://${service}:${port}`);
    }
  });

  it.each([...SERVICES.map(({ service }) => service), 'console'])(
    '%s gets longer to stop than its own shutdown timeout',
    (service) => {
      const grace = composeDurationMs(String(raw(service).stop_grace_period));
      const shutdown = Number(services.get(service)?.environment.SHUTDOWN_TIMEOUT_MS);
      expect(grace).toBeGreaterThan(shutdown);
    },
  );
});

describe.each(overlayDirectories())('Kubernetes overlay %s', (overlay) => {
  const objects = renderKustomization(overlay);
  const named = (kind: string, name: string): K8sObject => {
    const object = objects.find((o) => o.kind === kind && o.name === name);
    if (object === undefined) throw new Error(`${overlay}: no ${kind} ${name}`);
    return object;
  };

  it.each([...SERVICES, { service: 'console', port: 3000 }])(
    '$service: replicas, probes, port and drain timing',
    ({ service, port }) => {
      const deployment = named('Deployment', `plafond-${service}`);
      const podSpec = podSpecOf(deployment) ?? {};
      const [container] = containersOf(deployment);
      const environment = containerEnvironment(container ?? {}, objects).variables;
      expect((deployment.body.spec as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
      expect(container).toMatchObject({
        args: [
          service === 'console' ? CONSOLE_ENTRY_POINT : serviceEntryPoint(service as ServiceName),
        ],
        ports: [{ name: 'http', containerPort: port }],
        readinessProbe: { httpGet: { path: '/health/ready', port: 'http' } },
        livenessProbe: { httpGet: { path: '/health/live', port: 'http' } },
        resources: { requests: { cpu: expect.any(String), memory: expect.any(String) } },
      });
      expect(environment.get(service === 'console' ? 'CONSOLE_PORT' : 'PORT')?.value).toBe(
        String(port),
      );
      const shutdownMs = Number(environment.get('SHUTDOWN_TIMEOUT_MS')?.value);
      expect(shutdownMs).toBeGreaterThan(0);
      expect(Number(podSpec.terminationGracePeriodSeconds) * 1000).toBeGreaterThan(
        shutdownMs + preStopPauseMs(container ?? {}),
      );
      expect(named('Service', `plafond-${service}`).body.spec).toMatchObject({
        ports: [{ port, targetPort: 'http' }],
      });
      expect(named('PodDisruptionBudget', `plafond-${service}`).body.spec).toMatchObject({
        minAvailable: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': `plafond-${service}` } },
      });
    },
  );

  it('runs our containers non-root on a read-only root filesystem', () => {
    const ours = objects.filter((o) => o.name.startsWith('plafond-') && podSpecOf(o) !== undefined);
    expect(ours.length).toBe(SERVICES.length + 1 + JOBS.length); // + the console
    for (const workload of ours) {
      expect({ name: workload.name, pod: podSpecOf(workload)?.securityContext }).toMatchObject({
        name: workload.name,
        pod: { runAsNonRoot: true, runAsUser: expect.any(Number) },
      });
      for (const container of containersOf(workload)) {
        expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true });
      }
    }
  });

  it('meets the restricted Pod Security Standard in every pod, infrastructure included', () => {
    for (const workload of objects.filter((o) => podSpecOf(o) !== undefined)) {
      const podSpec = podSpecOf(workload) ?? {};
      expect({ name: workload.name, pod: podSpec }).toMatchObject({
        name: workload.name,
        pod: {
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        },
      });
      for (const container of containersOf(workload)) {
        expect({ name: workload.name, context: container.securityContext }).toEqual({
          name: workload.name,
          context: expect.objectContaining({
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          }),
        });
      }
    }
  });
});
