import { AssertionError } from 'node:assert';

import { DeciderSpecification, type Decider } from './decider';

type QuotaEvent =
  | { type: 'QuotaReserved'; data: { amountMicroWh: string } }
  | { type: 'QuotaReleased'; data: { amountMicroWh: string } };
type Reserve = { type: 'ReserveQuota'; amountMicroWh: bigint; ceilingMicroWh: bigint };

class QuotaExceeded extends Error {
  readonly code = 'QUOTA.EXCEEDED';
}

const decider: Decider<bigint, Reserve, QuotaEvent> = {
  initialState: () => 0n,
  evolve: (reserved, event) => {
    switch (event.type) {
      case 'QuotaReserved':
        return reserved + BigInt(event.data.amountMicroWh);
      case 'QuotaReleased':
        return reserved - BigInt(event.data.amountMicroWh);
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  },
  decide: (command, reserved) => {
    if (command.amountMicroWh === 0n) return [];
    if (reserved + command.amountMicroWh > command.ceilingMicroWh)
      throw new QuotaExceeded('over the ceiling');
    return { type: 'QuotaReserved', data: { amountMicroWh: command.amountMicroWh.toString() } };
  },
};

const given = DeciderSpecification.for(decider);
const reserved = (amount: string): QuotaEvent => ({
  type: 'QuotaReserved',
  data: { amountMicroWh: amount },
});
const reserve = (amountMicroWh: bigint): Reserve => ({
  type: 'ReserveQuota',
  amountMicroWh,
  ceilingMicroWh: 10n,
});

describe('DeciderSpecification', () => {
  it('checks the events a command produces from the given history', () => {
    given([reserved('4'), { type: 'QuotaReleased', data: { amountMicroWh: '1' } }])
      .when(reserve(7n))
      .then([reserved('7')]);
    given([]).when(reserve(0n)).thenNothingHappened();
  });

  it('checks a refusal by its stable code or a predicate', () => {
    given(reserved('8')).when(reserve(3n)).thenThrows('QUOTA.EXCEEDED');
    given(reserved('8'))
      .when(reserve(3n))
      .thenThrows((error) => error instanceof QuotaExceeded);
  });

  it('fails when the outcome differs', () => {
    expect(() =>
      given([])
        .when(reserve(2n))
        .then([reserved('3')]),
    ).toThrow(AssertionError);
    expect(() => given([]).when(reserve(2n)).thenThrows('QUOTA.EXCEEDED')).toThrow(
      /expected an error/,
    );
    expect(() => given(reserved('9')).when(reserve(3n)).thenThrows('OTHER.CODE')).toThrow(
      /expected OTHER.CODE/,
    );
    expect(() => given([]).when(reserve(2n)).thenNothingHappened()).toThrow(AssertionError);
  });
});
