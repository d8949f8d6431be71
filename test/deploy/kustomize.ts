// A deliberately small model of `kubectl kustomize`: enough to know which environment each
// container receives, without a kubectl binary (CI machines need not have one). It refuses any
// kustomization field it does not model, so a new `patches:` cannot silently escape the checks.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  asArray,
  asRecord,
  isRecord,
  parseYamlDocuments,
  parseYamlFile,
  repositoryRoot,
  scalarText,
} from './manifests';

export interface K8sObject {
  readonly kind: string;
  readonly name: string;
  readonly body: Record<string, unknown>;
}

const modelledFields = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'labels',
  'resources',
  'images',
  'configMapGenerator',
  'secretGenerator',
  'replicas',
]);
const maxKustomizationDepth = 6;

/** Renders the kustomization in `directory` (relative to the repository root). */
export function renderKustomization(directory: string, depth = 0): K8sObject[] {
  if (depth > maxKustomizationDepth) throw new Error(`${directory}: kustomizations nest too deep`);
  const file = join(directory, 'kustomization.yaml');
  const kustomization = asRecord(parseYamlFile(file), file);
  const unmodelled = Object.keys(kustomization).filter((field) => !modelledFields.has(field));
  if (unmodelled.length > 0) {
    throw new Error(`${file}: test/deploy/kustomize.ts does not model ${unmodelled.join(', ')}`);
  }
  const objects: K8sObject[] = [];
  for (const resource of asArray(kustomization.resources, `${file} resources`)) {
    const path = join(directory, scalarText(resource, `${file} resources`));
    if (!existsSync(join(repositoryRoot, path))) throw new Error(`${file}: ${path} is missing`);
    if (statSync(join(repositoryRoot, path)).isDirectory()) {
      objects.push(...renderKustomization(path, depth + 1));
    } else {
      objects.push(...parseYamlDocuments(path).map((document) => toObject(document, path)));
    }
  }
  applyGenerators(objects, 'ConfigMap', kustomization.configMapGenerator, file);
  applyGenerators(objects, 'Secret', kustomization.secretGenerator, file);
  applyImages(objects, kustomization.images, file);
  applyReplicas(objects, kustomization.replicas, file);
  return objects;
}

function toObject(document: unknown, where: string): K8sObject {
  const body = asRecord(document, where);
  const metadata = asRecord(body.metadata, `${where} metadata`);
  if (typeof body.kind !== 'string' || typeof metadata.name !== 'string') {
    throw new Error(`${where}: every object needs a kind and metadata.name`);
  }
  return { kind: body.kind, name: metadata.name, body };
}

function applyGenerators(objects: K8sObject[], kind: string, generators: unknown, file: string) {
  for (const generator of asArray(generators, `${file} ${kind} generators`)) {
    const spec = asRecord(generator, `${file} ${kind} generator`);
    const extra = Object.keys(spec).filter(
      (key) => !['name', 'behavior', 'literals'].includes(key),
    );
    if (extra.length > 0)
      throw new Error(`${file}: generator field ${extra.join(', ')} unmodelled`);
    const name = scalarText(spec.name, `${file} generator name`);
    const data = Object.fromEntries(
      asArray(spec.literals, `${file} ${name} literals`).map((literal) => {
        const text = scalarText(literal, `${file} ${name} literal`);
        const separator = text.indexOf('=');
        if (separator < 1) throw new Error(`${file}: literal ${text} has no key`);
        return [text.slice(0, separator), text.slice(separator + 1)];
      }),
    );
    const behavior = spec.behavior ?? 'create';
    const index = objects.findIndex((object) => object.kind === kind && object.name === name);
    if (behavior === 'create') {
      if (index >= 0) throw new Error(`${file}: ${kind} ${name} already exists`);
      // Generated Secrets keep plain text in stringData, as a hand-written Secret may.
      const field = kind === 'Secret' ? 'stringData' : 'data';
      objects.push({ kind, name, body: { kind, metadata: { name }, [field]: data } });
    } else if (behavior === 'merge' || behavior === 'replace') {
      const existing = objects[index];
      if (existing === undefined)
        throw new Error(`${file}: ${kind} ${name} to ${behavior} is missing`);
      const before = behavior === 'merge' ? dataOf(existing) : {};
      const body = { ...existing.body, data: undefined, stringData: { ...before, ...data } };
      objects[index] = { kind, name, body };
    } else {
      throw new Error(`${file}: unknown generator behavior ${JSON.stringify(behavior)}`);
    }
  }
}

/** A ConfigMap's or Secret's keys and plain-text values (Secret `data` is base64). */
export function dataOf(object: K8sObject): Record<string, string> {
  const decode = (value: unknown) =>
    object.kind === 'Secret'
      ? Buffer.from(scalarText(value, object.name), 'base64').toString('utf8')
      : scalarText(value, object.name);
  const data = isRecord(object.body.data) ? object.body.data : {};
  const stringData = isRecord(object.body.stringData) ? object.body.stringData : {};
  return {
    ...Object.fromEntries(Object.entries(data).map(([key, value]) => [key, decode(value)])),
    ...Object.fromEntries(
      Object.entries(stringData).map(([key, value]) => [key, scalarText(value, object.name)]),
    ),
  };
}

function applyImages(objects: K8sObject[], images: unknown, file: string) {
  for (const entry of asArray(images, `${file} images`)) {
    const image = asRecord(entry, `${file} image`);
    for (const container of objects.flatMap(containersOf)) {
      const [name] = scalarText(container.image, 'image').split(':');
      if (name !== image.name) continue;
      const newName =
        typeof image.newName === 'string' ? image.newName : scalarText(image.name, file);
      container.image =
        image.newTag === undefined ? newName : `${newName}:${scalarText(image.newTag, file)}`;
    }
  }
}

function applyReplicas(objects: K8sObject[], replicas: unknown, file: string) {
  for (const entry of asArray(replicas, `${file} replicas`)) {
    const replica = asRecord(entry, `${file} replicas entry`);
    const target = objects.find(
      (object) => object.name === replica.name && isRecord(object.body.spec),
    );
    if (target === undefined)
      throw new Error(`${file}: replicas for unknown ${JSON.stringify(replica.name)}`);
    asRecord(target.body.spec, target.name).replicas = replica.count;
  }
}

/** The pod spec of a Deployment, StatefulSet or Job; undefined for other kinds. */
export function podSpecOf(object: K8sObject): Record<string, unknown> | undefined {
  if (!['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(object.kind)) return undefined;
  const spec = asRecord(object.body.spec, `${object.kind} ${object.name} spec`);
  const template = asRecord(spec.template, `${object.name} template`);
  return asRecord(template.spec, `${object.name} pod spec`);
}

export function containersOf(object: K8sObject): Record<string, unknown>[] {
  const podSpec = podSpecOf(object);
  if (podSpec === undefined) return [];
  return [
    ...asArray(podSpec.initContainers, `${object.name} initContainers`),
    ...asArray(podSpec.containers, `${object.name} containers`),
  ].map((container) => asRecord(container, `${object.name} container`));
}

export type EnvironmentSource = 'literal' | 'configMap' | 'secret';
export interface EnvironmentEntry {
  readonly source: EnvironmentSource;
  /** Known for literals and for keys of ConfigMaps/Secrets present in the manifests. */
  readonly value?: string;
}
export interface ContainerEnvironment {
  readonly variables: Map<string, EnvironmentEntry>;
  /** References to ConfigMaps/Secrets (or their keys) that the rendered manifests do not hold. */
  readonly unresolved: { kind: string; name: string; key?: string }[];
}

/** The environment one container receives, resolving envFrom and valueFrom references. */
export function containerEnvironment(
  container: Record<string, unknown>,
  objects: readonly K8sObject[],
): ContainerEnvironment {
  const variables = new Map<string, EnvironmentEntry>();
  const unresolved: ContainerEnvironment['unresolved'] = [];
  const lookup = (kind: string, name: string) =>
    objects.find((object) => object.kind === kind && object.name === name);

  for (const entry of asArray(container.envFrom, 'envFrom')) {
    const from = asRecord(entry, 'envFrom entry');
    const reference = isRecord(from.configMapRef) ? from.configMapRef : from.secretRef;
    const kind = isRecord(from.configMapRef) ? 'ConfigMap' : 'Secret';
    const name = scalarText(asRecord(reference, 'envFrom reference').name, 'envFrom name');
    const object = lookup(kind, name);
    if (object === undefined) {
      unresolved.push({ kind, name });
      continue;
    }
    for (const [key, value] of Object.entries(dataOf(object))) {
      variables.set(key, { source: kind === 'ConfigMap' ? 'configMap' : 'secret', value });
    }
  }
  for (const entry of asArray(container.env, 'env')) {
    const variable = asRecord(entry, 'env entry');
    const name = scalarText(variable.name, 'env name');
    if (!isRecord(variable.valueFrom)) {
      variables.set(name, { source: 'literal', value: scalarText(variable.value ?? '', name) });
      continue;
    }
    const { configMapKeyRef, secretKeyRef } = variable.valueFrom;
    const kind = isRecord(configMapKeyRef) ? 'ConfigMap' : 'Secret';
    const reference = asRecord(kind === 'ConfigMap' ? configMapKeyRef : secretKeyRef, name);
    const referenceName = scalarText(reference.name, name);
    const object = lookup(kind, referenceName);
    const key = scalarText(reference.key, name);
    const value = object === undefined ? undefined : dataOf(object)[key];
    if (value === undefined) unresolved.push({ kind, name: referenceName, key });
    variables.set(name, { source: kind === 'ConfigMap' ? 'configMap' : 'secret', value });
  }
  return { variables, unresolved };
}

/** The kustomizations a person applies: every overlay directory, relative to the root. */
export function overlayDirectories(): string[] {
  const overlays = join('deploy', 'k8s', 'overlays');
  return readdirSync(join(repositoryRoot, overlays), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(overlays, entry.name))
    .filter((overlay) => existsSync(join(repositoryRoot, overlay, 'kustomization.yaml')))
    .sort();
}
