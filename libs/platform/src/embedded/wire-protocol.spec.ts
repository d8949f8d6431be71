import {
  frontendMessages,
  FrontendReader,
  ProtocolViolation,
  ReadyForQueryTracker,
  renameStatements,
} from './wire-protocol';

function message(type: string, ...parts: Array<string | Buffer>): Buffer {
  const body = Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(`${part}\0`) : part)),
  );
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function startup(): Buffer {
  const body = Buffer.from('user\0postgres\0database\0postgres\0\0');
  const packet = Buffer.alloc(8 + body.length);
  packet.writeInt32BE(packet.length, 0);
  packet.writeInt32BE(196608, 4); // protocol 3.0
  body.copy(packet, 8);
  return packet;
}

function sslRequest(): Buffer {
  const packet = Buffer.alloc(8);
  packet.writeInt32BE(8, 0);
  packet.writeInt32BE(80877103, 4);
  return packet;
}

const int16 = (value: number): Buffer => {
  const bytes = Buffer.alloc(2);
  bytes.writeInt16BE(value);
  return bytes;
};

describe('FrontendReader', () => {
  it('splits SSLRequest, startup and typed messages, whatever the chunking', () => {
    const parse = message('P', 'ledger_x', 'SELECT $1::int', int16(0));
    const stream = Buffer.concat([sslRequest(), startup(), parse, frontendMessages.sync()]);
    for (const size of [1, 3, 7, 64, stream.length]) {
      const reader = new FrontendReader();
      const packets = [];
      for (let offset = 0; offset < stream.length; offset += size) {
        packets.push(...reader.push(stream.subarray(offset, offset + size)));
      }
      expect(packets.map((packet) => packet.kind)).toEqual([
        'encryption-request',
        'startup',
        'message',
        'message',
      ]);
      expect(packets[2]).toEqual({ kind: 'message', type: 'P', bytes: parse });
      expect(packets[3]).toMatchObject({ type: 'S' });
    }
  });

  it('refuses an impossible message length', () => {
    const reader = new FrontendReader();
    reader.push(startup());
    expect(() => reader.push(Buffer.from([0x51, 0, 0, 0, 2]))).toThrow(ProtocolViolation);
  });
});

describe('renameStatements', () => {
  it('prefixes named statements in Parse, Bind, Describe and Close, and reports them', () => {
    const parse = renameStatements(message('P', 'ledger_x', 'SELECT 1', int16(0)), 'c7_');
    expect(parse).toEqual({
      bytes: message('P', 'c7_ledger_x', 'SELECT 1', int16(0)),
      prepared: 'c7_ledger_x',
    });
    const bindTail = Buffer.concat([int16(0), int16(0), int16(0)]);
    expect(renameStatements(message('B', '', 'ledger_x', bindTail), 'c7_').bytes).toEqual(
      message('B', '', 'c7_ledger_x', bindTail),
    );
    expect(renameStatements(message('D', Buffer.from('S'), 'ledger_x'), 'c7_').bytes).toEqual(
      message('D', Buffer.from('S'), 'c7_ledger_x'),
    );
    expect(renameStatements(message('C', Buffer.from('S'), 'ledger_x'), 'c7_')).toEqual({
      bytes: frontendMessages.closeStatement('c7_ledger_x'),
      closed: 'c7_ledger_x',
    });
  });

  it('leaves the unnamed statement, portals and other messages alone', () => {
    const unchanged = [
      message('P', '', 'SELECT 1', int16(0)),
      message('B', 'portal', '', int16(0), int16(0), int16(0)),
      message('D', Buffer.from('P'), 'portal'),
      message('C', Buffer.from('P'), 'portal'),
      frontendMessages.query('SELECT 1'),
      message('E', '', Buffer.alloc(4)),
    ];
    for (const bytes of unchanged) expect(renameStatements(bytes, 'c1_')).toEqual({ bytes });
  });
});

describe('ReadyForQueryTracker', () => {
  const ready = (status: string): Buffer => message('Z', Buffer.from(status));
  const dataRow = message('D', int16(1), Buffer.from([0, 0, 0, 6]), Buffer.from('Z\0\0\0\x05I'));

  it('sees ReadyForQuery and its status across chunk boundaries', () => {
    const answer = Buffer.concat([message('C', 'SELECT 1'), dataRow, ready('T')]);
    const tracker = new ReadyForQueryTracker();
    tracker.begin();
    for (const byte of answer) tracker.feed(Buffer.from([byte]));
    expect(tracker.transactionStatus).toBe('T');
    expect(tracker.endedIdle).toBe(false);

    tracker.begin();
    tracker.feed(Buffer.concat([message('C', 'COMMIT'), ready('I')]));
    expect(tracker.endedIdle).toBe(true);
  });

  it('does not take a row that ends like ReadyForQuery for one', () => {
    const tracker = new ReadyForQueryTracker();
    tracker.begin();
    tracker.feed(Buffer.concat([ready('I'), dataRow]));
    expect(tracker.endedIdle).toBe(false);
  });

  it('is not idle after an answer without ReadyForQuery (a Parse before its Sync)', () => {
    const tracker = new ReadyForQueryTracker();
    tracker.begin();
    tracker.feed(ready('I'));
    tracker.begin();
    tracker.feed(message('1'));
    expect(tracker.endedIdle).toBe(false);
  });
});
