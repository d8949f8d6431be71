import {
  FAILPOINT_NAMES,
  FailpointConfigError,
  Failpoints,
  failpointFiredLine,
  parseFailpoints,
  type ArmedFailpoint,
} from './failpoint';

describe('parseFailpoints', () => {
  it('arms nothing when absent or blank', () => {
    expect(parseFailpoints(undefined)).toEqual([]);
    expect(parseFailpoints('')).toEqual([]);
    expect(parseFailpoints('  ')).toEqual([]);
  });

  it('reads name@N pairs separated by commas, spaces allowed around them', () => {
    expect(parseFailpoints('relay.after-publish@2, inbox.after-commit@5')).toEqual([
      { name: 'relay.after-publish', hit: 2 },
      { name: 'inbox.after-commit', hit: 5 },
    ]);
  });

  it('knows every name of the catalogue', () => {
    const spec = FAILPOINT_NAMES.map((name) => `${name}@1`).join(',');
    expect(parseFailpoints(spec).map((point) => point.name)).toEqual([...FAILPOINT_NAMES]);
  });

  it.each([
    ['relay.after-publish', 'is not name@N'],
    ['relay.after-publish@0', 'is not name@N'],
    ['relay.after-publish@-1', 'is not name@N'],
    ['relay.after-publish@1.5', 'is not name@N'],
    ['relay.after-publish@1e3', 'is not name@N'],
    ['relay.after-publish@1000000000', 'is not name@N'],
    ['relay.after-publish@2,', 'is not name@N'],
    ['Relay.After-Publish@2', 'is not name@N'],
    ['relay.after-publsh@2', "unknown failpoint 'relay.after-publsh'"],
    ['relay.after-publish@2,relay.after-publish@3', 'armed twice'],
  ])('refuses %p', (spec, message) => {
    expect(() => parseFailpoints(spec)).toThrow(FailpointConfigError);
    expect(() => parseFailpoints(spec)).toThrow(message);
    expect(() => parseFailpoints(spec)).toThrow('PLAFOND_FAILPOINTS: ');
  });
});

describe('Failpoints', () => {
  const recording = (spec: string) => {
    const fired: ArmedFailpoint[] = [];
    const points = new Failpoints(parseFailpoints(spec), (point) => fired.push(point));
    return { points, fired };
  };

  it('fires once, on the Nth hit of its own point only', () => {
    const { points, fired } = recording('inbox.after-commit@3');
    points.hit('inbox.after-commit');
    points.hit('relay.after-publish');
    points.hit('inbox.after-commit');
    expect(fired).toEqual([]);
    points.hit('inbox.after-commit');
    expect(fired).toEqual([{ name: 'inbox.after-commit', hit: 3 }]);
    points.hit('inbox.after-commit');
    expect(fired).toHaveLength(1);
    expect(points.count('inbox.after-commit')).toBe(4);
  });

  it('counts each armed point on its own', () => {
    const { points, fired } = recording('ledger.after-commit@1,projection.mid-batch@2');
    points.hit('projection.mid-batch');
    points.hit('ledger.after-commit');
    points.hit('projection.mid-batch');
    expect(fired).toEqual([
      { name: 'ledger.after-commit', hit: 1 },
      { name: 'projection.mid-batch', hit: 2 },
    ]);
  });

  it('does nothing when unarmed, and refuses a name outside the catalogue', () => {
    const { points, fired } = recording('');
    for (const name of FAILPOINT_NAMES) points.hit(name);
    expect(fired).toEqual([]);
    expect(() => points.hit('not.a-point' as never)).toThrow("unknown failpoint 'not.a-point'");
  });

  it('names the point and the pid in the line it leaves on stderr', () => {
    expect(failpointFiredLine({ name: 'relay.after-publish', hit: 2 }, 42)).toBe(
      'failpoint relay.after-publish fired on hit 2: SIGKILL to pid 42',
    );
  });
});
