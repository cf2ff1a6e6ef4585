// Alert plans the tests share.

/** The draw-collector team's plan, as written in their issue. */
export const DRAW_PLAN = {
  receivers: { oncall: { channel: 'log' }, lead: { channel: 'log' }, chat: { channel: 'log' } },
  rules: {
    'gap-large': { severity: 'P0', gap: { minPartitions: 11 } },
    'collector-silent': { severity: 'P0', freshness: { after: '5m' } },
    'collect-failing': { severity: 'P0', collectFailures: { atLeast: 3 } },
    'gap-small': { severity: 'P1', gap: { minPartitions: 1, maxPartitions: 10 }, for: '5m' },
    'collect-late': { severity: 'P1', freshness: { after: '10m' } },
    'backfill-exhausted': { severity: 'P2', backfillExhausted: {} },
  },
  routes: [
    {
      match: ['severity=P0'],
      receivers: ['oncall'],
      escalate: [{ after: '15m', receivers: ['lead'] }],
    },
    {
      match: ['severity=~P1|P2'],
      receivers: ['chat'],
      escalate: [{ after: '1h', raiseSeverity: true }],
    },
  ],
};
