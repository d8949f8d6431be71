import { PlafondError } from './plafond-error';

describe('PlafondError', () => {
  it('carries a stable code, details and a status', () => {
    class QuotaExceeded extends PlafondError {}
    const error = new QuotaExceeded('QUOTA.EXCEEDED', 'No quota left.', { unitId: 'u-1' }, 409);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'QuotaExceeded', code: 'QUOTA.EXCEEDED', httpStatus: 409 });
    expect(new PlafondError('LEDGER.CONCURRENCY', 'x').httpStatus).toBe(400);
  });

  it.each(['quota.exceeded', 'QUOTA EXCEEDED', '', 'QUOTA.'])('refuses the code %j', (code) => {
    expect(() => new PlafondError(code, 'x')).toThrow('AREA.REASON');
  });

  it.each([200, 302, 600, 404.5])('refuses the status %p', (status) => {
    expect(() => new PlafondError('A.B', 'x', undefined, status)).toThrow('httpStatus');
  });
});
