import type { StartedContainer } from './containers';

export type Source = 'environment' | 'testcontainers' | 'local';

/**
 * What global setup found or started, read back by global teardown. Jest runs both in the same
 * process, and only values hung on `globalThis` survive from one to the other.
 */
export interface InfrastructureState {
  runId: string;
  databaseUrl: string;
  databaseSource: Source;
  kafkaBrokers: string;
  kafkaSource: Source;
  /** True only when this run launched scripts/kafka.sh, and so must stop it. */
  startedLocalKafka: boolean;
  containers: StartedContainer[];
}

const KEY = '__plafondTestInfrastructure';

type Holder = typeof globalThis & { [KEY]?: InfrastructureState };

export function newState(runId: string): InfrastructureState {
  const state: InfrastructureState = {
    runId,
    databaseUrl: '',
    databaseSource: 'environment',
    kafkaBrokers: '',
    kafkaSource: 'environment',
    startedLocalKafka: false,
    containers: [],
  };
  (globalThis as Holder)[KEY] = state;
  return state;
}

export function takeState(): InfrastructureState | undefined {
  const holder = globalThis as Holder;
  const state = holder[KEY];
  delete holder[KEY];
  return state;
}
