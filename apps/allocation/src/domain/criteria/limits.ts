// Bounds on every input the criteria loop over, so a policy can never make a computation
// unbounded. Generous for an organisation chart; a bigger tree is refused with a stable code.

export const ALLOCATION_LIMITS = {
  maxChildrenPerNode: 10_000,
  maxTreeNodes: 100_000,
  maxTreeDepth: 64,
  maxWeightComponents: 16,
  maxTiers: 16,
  /** Decimal places of a scaled weight. */
  maxWeightScale: 18,
  basisPointsTotal: 10_000,
} as const;
