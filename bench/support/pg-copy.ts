// `COPY ... FROM STDIN` with the pg client alone (pg-copy-streams is not a dependency): a pg
// Query whose copy-in handler sends the given chunks, then CopyDone. pg calls
// `handleCopyInResponse(connection)` on the active query when the server asks for the data; the
// rest (CommandComplete, ReadyForQuery, errors) is the ordinary Query's.
import { Query, type Client } from 'pg';

interface CopyConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

class CopyFromQuery extends Query {
  constructor(
    sql: string,
    private readonly chunks: readonly Buffer[],
  ) {
    super(sql);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    for (const chunk of this.chunks) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }
}

/** Runs `COPY <table> FROM STDIN` (text format) with `text`, split into 64 KiB messages. */
export function copyFrom(client: Client, sql: string, text: string): Promise<void> {
  const data = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += 65_536)
    chunks.push(data.subarray(offset, offset + 65_536));
  const query = new CopyFromQuery(sql, chunks);
  return new Promise((resolve, reject) => {
    query.on('end', () => resolve());
    query.on('error', reject);
    client.query(query);
  });
}
