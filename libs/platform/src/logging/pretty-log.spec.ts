import { formatLogLineForHumans } from './pretty-log';

describe('formatLogLineForHumans', () => {
  it('prints time, level, context, message and fields on one line', () => {
    const line = JSON.stringify({
      time: '2027-03-01T10:00:00.123Z',
      level: 'info',
      service: 'allocation',
      context: 'Http',
      msg: 'request completed',
      correlationId: 'c-1',
      status: 200,
    });
    expect(formatLogLineForHumans(line)).toBe(
      '10:00:00.123 INFO  Http: request completed  correlationId=c-1 status=200',
    );
  });

  it.each(['plain text', '{not json', '{"other":"json"}', '[1,2]'])('passes %j through', (line) => {
    expect(formatLogLineForHumans(line)).toBe(line);
  });
});
