export { EmbeddedErrorCode, LOCK_FILE_NAME } from './data-dir-lock';
export {
  EmbeddedPostgres,
  type EmbeddedPostgresOptions,
  type RunningEmbeddedPostgres,
} from './embedded-postgres';
export type { EmbeddedLogger } from './wire-multiplexer';
