// The deployment files set exactly the variables the services read: every required variable
// of each validated config class is set for that service, and nothing the code does not read.
import { loadConfig } from '@plafond/platform';
import { describeService, SERVICE_CONFIGS } from '../../scripts/config-table';
import {
  containerEnvironment,
  containersOf,
  K8sObject,
  overlayDirectories,
  renderKustomization,
} from './kustomize';
import {
  JOBS,
  listYamlFiles,
  loadComposeServices,
  parseYamlDocuments,
  SERVICES,
} from './manifests';

const sorted = (names: Iterable<string>): string[] => [...names].sort();
type Configured = (typeof SERVICE_CONFIGS)[number]['service'];
const known = (service: Configured) => describeService(service).map((variable) => variable.name);
const required = (service: Configured) =>
  describeService(service)
    .filter((variable) => variable.required)
    .map((variable) => variable.name);

describe('every YAML file under deploy/ and docker-compose.yml', () => {
  const files = ['docker-compose.yml', ...listYamlFiles()];

  it('finds the compose file and the Kubernetes manifests', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'docker-compose.yml',
        'deploy/k8s/base/kustomization.yaml',
        'deploy/k8s/overlays/local/kustomization.yaml',
        'deploy/k8s/overlays/production/kustomization.yaml',
      ]),
    );
  });

  it.each(files)('%s parses without errors or warnings', (file) => {
    expect(parseYamlDocuments(file).length).toBeGreaterThan(0);
  });
});

describe('the config classes', () => {
  it.each(SERVICES.map(({ service }) => service))('%s describes its variables', (service) => {
    const names = known(service);
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });
});

describe('docker-compose.yml', () => {
  const services = loadComposeServices();

  it('names the three services, both one-shot jobs and the infrastructure', () => {
    expect(sorted(services.keys())).toEqual(
      sorted([
        'allocation',
        'ingestion',
        'billing',
        'console',
        'kafka',
        'postgres',
        'kafka-init',
        'migrate',
      ]),
    );
  });

  it.each(SERVICE_CONFIGS.map(({ service }) => service))(
    '%s gets every variable its config reads, explicitly, and no other',
    (service) => {
      const environment = services.get(service)?.environment ?? {};
      expect(sorted(Object.keys(environment))).toEqual(sorted(known(service)));
    },
  );

  it.each(SERVICE_CONFIGS)(
    '$service boots with these values: its config validates them',
    (entry) => {
      const environment = services.get(entry.service)?.environment ?? {};
      expect(() => loadConfig<object>(entry.configClass, environment)).not.toThrow();
    },
  );

  it.each(SERVICES)('$service listens on $port inside and outside the container', (entry) => {
    const compose = services.get(entry.service);
    expect(compose?.environment.PORT).toBe(String(entry.port));
    expect(compose?.raw.ports).toEqual([`${entry.port}:${entry.port}`]);
  });

  it.each([
    ['migrate', 'migrate'],
    ['kafka-init', 'provision-topics'],
  ] as const)('%s runs %s with exactly the variables it reads', (composeName, jobName) => {
    const job = JOBS.find((candidate) => candidate.job === jobName);
    const compose = services.get(composeName);
    expect(compose?.command).toEqual([job?.script]);
    expect(sorted(Object.keys(compose?.environment ?? {}))).toEqual(sorted(job?.environment ?? []));
  });

  it('gives the jobs the same Kafka and database settings as the services', () => {
    for (const { service } of SERVICES) {
      const environment = services.get(service)?.environment;
      expect(services.get('migrate')?.environment.DATABASE_URL).toBe(environment?.DATABASE_URL);
      expect(services.get('kafka-init')?.environment).toMatchObject({
        KAFKA_BROKERS: environment?.KAFKA_BROKERS,
        KAFKA_TOPIC_PREFIX: environment?.KAFKA_TOPIC_PREFIX,
      });
    }
  });
});

describe.each(overlayDirectories())('Kubernetes overlay %s', (overlay) => {
  const objects = renderKustomization(overlay);
  const firstContainer = (name: string) => onlyContainer(objects, name, overlay);

  it('has a Deployment, a Service and a PodDisruptionBudget for each service and the console', () => {
    for (const { service } of SERVICE_CONFIGS) {
      for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget']) {
        const found = objects.some((o) => o.kind === kind && o.name === `plafond-${service}`);
        expect({ service, kind, found }).toEqual({ service, kind, found: true });
      }
    }
  });

  it.each(SERVICE_CONFIGS.map(({ service }) => service))(
    '%s gets every required variable and none its config does not read',
    (service) => {
      const { variables } = containerEnvironment(firstContainer(`plafond-${service}`), objects);
      const names = sorted(variables.keys());
      expect(required(service).filter((name) => !names.includes(name))).toEqual([]);
      expect(names.filter((name) => !known(service).includes(name))).toEqual([]);
    },
  );

  it.each(SERVICE_CONFIGS.map(({ service }) => service))(
    '%s reads secret variables from a Secret, never from a ConfigMap or the manifest',
    (service) => {
      const { variables } = containerEnvironment(firstContainer(`plafond-${service}`), objects);
      const secrets = describeService(service).filter((variable) => variable.secret);
      for (const { name } of secrets) {
        const source = variables.get(name)?.source;
        expect({ name, source: source ?? 'secret' }).toEqual({ name, source: 'secret' });
      }
    },
  );

  it.each(SERVICE_CONFIGS)(
    '$service boots with these values: its config validates them',
    (entry) => {
      const container = firstContainer(`plafond-${entry.service}`);
      const { variables } = containerEnvironment(container, objects);
      // A Secret from outside the manifests has no value here; its documented example stands in.
      const examples = new Map(describeService(entry.service).map((v) => [v.name, v.example]));
      const environment = Object.fromEntries(
        [...variables].map(([name, { value }]) => [name, value ?? examples.get(name)]),
      );
      expect(() => loadConfig<object>(entry.configClass, environment)).not.toThrow();
    },
  );

  it.each(JOBS)('runs the $job job with exactly the variables it reads', (job) => {
    const container = firstContainer(`plafond-${job.job}`);
    expect(container.args).toEqual([job.script]);
    const { variables } = containerEnvironment(container, objects);
    expect(sorted(variables.keys())).toEqual(sorted(job.environment));
  });

  it('resolves every ConfigMap reference; only Secrets may come from outside', () => {
    const unresolved = unresolvedReferences(objects);
    expect(unresolved.filter((reference) => reference.kind !== 'Secret')).toEqual([]);
  });
});

describe('the local overlay', () => {
  it('runs as is: every ConfigMap and Secret it references is in it', () => {
    expect(unresolvedReferences(renderKustomization('deploy/k8s/overlays/local'))).toEqual([]);
  });
});

function onlyContainer(objects: readonly K8sObject[], name: string, overlay: string) {
  const workload = objects.find((object) => object.name === name && containersOf(object).length);
  const containers = workload === undefined ? [] : containersOf(workload);
  if (containers.length !== 1 || containers[0] === undefined) {
    throw new Error(`${overlay}: expected one workload ${name} with one container`);
  }
  return containers[0];
}

function unresolvedReferences(objects: readonly K8sObject[]) {
  return objects
    .flatMap(containersOf)
    .flatMap((container) => containerEnvironment(container, objects).unresolved);
}
