export {
  projectionDigest,
  type ProjectionDigest,
  type ProjectionDigestOptions,
} from './projection-digest';
export {
  rebuildProjection,
  verifyProjection,
  type RebuildOptions,
  type RebuildResult,
  type VerifyProjectionOptions,
  type VerifyProjectionResult,
} from './rebuild-projection';
