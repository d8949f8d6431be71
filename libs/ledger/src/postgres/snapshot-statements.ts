/** SQL of the snapshot cache of one ledger schema (`s` is the quoted schema name). */
export function snapshotStatements(s: string): { loadSnapshots: string; saveSnapshot: string } {
  return {
    // $1 stream, $2 name, $3 max position, $4 max recorded-at, $5 how many (newest first).
    loadSnapshots: `SELECT stream_version::text AS stream_version, global_position::text AS global_position,
        max_recorded_at, encode(last_hash, 'hex') AS last_hash, state::text AS state,
        encode(checksum, 'hex') AS checksum
      FROM ${s}.snapshots p
      WHERE p.stream_id = $1 AND p.snapshot_name = $2 AND p.global_position <= $3 AND p.max_recorded_at <= $4
      ORDER BY p.stream_version DESC LIMIT $5`,
    // One statement writes and prunes, so the table stays bounded (at most $9 rows per stream and
    // name, plus one while a concurrent writer's row is uncommitted). A row at the same version
    // is replaced: the new one was folded from verified history, the old one may be the rejected
    // one. The DELETE cannot see the row this statement inserts, so it never removes it.
    saveSnapshot: `WITH saved AS (
        INSERT INTO ${s}.snapshots (stream_id, snapshot_name, stream_version, global_position,
          max_recorded_at, last_hash, state, checksum)
        VALUES ($1, $2, $3, $4, $5, decode($6, 'hex'), $7::jsonb, decode($8, 'hex'))
        ON CONFLICT (stream_id, snapshot_name, stream_version) DO UPDATE
          SET global_position = EXCLUDED.global_position, max_recorded_at = EXCLUDED.max_recorded_at,
            last_hash = EXCLUDED.last_hash, state = EXCLUDED.state, checksum = EXCLUDED.checksum,
            created_at = clock_timestamp()
        RETURNING stream_version
      ),
      kept AS (
        SELECT v.stream_version FROM (
          SELECT stream_version FROM ${s}.snapshots WHERE stream_id = $1 AND snapshot_name = $2
          UNION SELECT stream_version FROM saved
        ) v ORDER BY v.stream_version DESC LIMIT $9
      )
      DELETE FROM ${s}.snapshots p
      WHERE p.stream_id = $1 AND p.snapshot_name = $2
        AND p.stream_version NOT IN (SELECT stream_version FROM kept)`,
  };
}
