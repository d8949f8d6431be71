import { consumerTimeouts } from './kafka-clients';

describe('consumerTimeouts', () => {
  it("keeps kafkajs's 3 s heartbeat under the default 30 s session", () => {
    expect(consumerTimeouts(30_000)).toEqual({ sessionTimeout: 30_000, heartbeatInterval: 3000 });
  });

  it('heartbeats three times per session when the session is short', () => {
    // The broker's smallest session by default (group.min.session.timeout.ms) is 6 s.
    expect(consumerTimeouts(6000)).toEqual({ sessionTimeout: 6000, heartbeatInterval: 2000 });
    expect(consumerTimeouts(7000).heartbeatInterval).toBe(2333);
  });
});
