// Inputs and outputs of the allocation criteria. Types only: amounts are bigint micro-units of
// the budget's dimension; see serialise.ts for the JSON form stored with events.

/** An exact non-negative decimal: `value × 10^-scale` (e.g. revenue 1234.56 = { value: 123456n, scale: 2 }). */
export interface ScaledDecimal {
  value: bigint;
  scale: number;
}

/** A weight: an integer, or an exact decimal. Only ratios matter, so units are free. */
export type WeightValue = bigint | ScaledDecimal;

/** A child of the node being split, with the attributes (effective at the allocation date) that criteria read. */
export interface AllocationChild {
  childId: string;
  attributes?: Readonly<Record<string, WeightValue>>;
}

/** Held back at the parent before the rule runs: a share in basis points (rounded down) or an absolute amount. */
export type Contingency = { basisPoints: number } | { amount: bigint };

export interface StaticRule {
  kind: 'static';
  /** Every child exactly once; what the amounts leave over stays at the parent as `unallocated`. */
  members: readonly { childId: string; amount: bigint }[];
}

export interface WeightComponent {
  /** Name of the child attribute holding the weight (headcount, revenue, any named weight). */
  attribute: string;
  /** Share of the distributable amount split by this attribute; all components sum to 10 000. */
  basisPoints: number;
}

export interface WeightsRule {
  kind: 'weights';
  components: readonly WeightComponent[];
}

export interface TierDefinition {
  /** Usefulness class, e.g. essential / standard / discretionary. */
  tier: string;
  /** `weighted` mode only: multiplies each member's weight. Defaults to 1. */
  multiplier?: bigint;
}

export interface TierMember {
  childId: string;
  tier: string;
  floor?: bigint;
  cap?: bigint;
}

export interface TiersRule {
  kind: 'tiers';
  /** Highest priority first. */
  tiers: readonly TierDefinition[];
  /**
   * How the remainder after floors is split: `priority` fills each tier (up to caps) before the
   * next; `weighted` splits once over all members with weight × tier multiplier.
   */
  mode: 'priority' | 'weighted';
  /** Child attribute weighting members inside the remainder split; absent = equal weights. */
  weightAttribute?: string;
  members: readonly TierMember[];
}

export interface FairShareMember {
  childId: string;
  /** Declared demand for the period; nobody receives more than it asked for. */
  demand: bigint;
  floor?: bigint;
  cap?: bigint;
}

export interface FairShareRule {
  kind: 'fairShare';
  members: readonly FairShareMember[];
}

export type AllocationRule = StaticRule | WeightsRule | TiersRule | FairShareRule;
export type CriterionKind = AllocationRule['kind'];

/** How one node divides its amount among its children. */
export interface AllocationPolicy {
  contingency?: Contingency;
  rule: AllocationRule;
}

/** What one criterion contributed to a child's amount. */
export type Contribution =
  | { criterion: 'static'; amount: bigint }
  | { criterion: 'floor'; floor: bigint; amount: bigint; shortfall: bigint }
  | {
      criterion: 'weight';
      attribute: string;
      weight: bigint;
      totalWeight: bigint;
      /** Amount this component split among all children. */
      componentAmount: bigint;
      amount: bigint;
      /** Received one unit more than its exact quota rounded down (largest remainder). */
      roundedUp: boolean;
    }
  | {
      criterion: 'tier';
      tier: string;
      /** 0 = highest priority. */
      rank: number;
      weight: bigint;
      amount: bigint;
    }
  | { criterion: 'fairShare'; demand: bigint; level: bigint; amount: bigint; roundedUp: boolean };

/** Which limit set the child's amount: its floor lifted it, its cap or its demand stopped it, or none. */
export type BoundBy = 'floor' | 'cap' | 'demand' | null;

export interface AllocationExplanation {
  contributions: Contribution[];
  boundBy: BoundBy;
}

export interface ChildAllocation {
  childId: string;
  amount: bigint;
  explanation: AllocationExplanation;
}

/** Why part of the distributable amount stayed at the parent. */
export type UnallocatedReason =
  'STATIC_REMAINDER' | 'ALL_WEIGHTS_ZERO' | 'CAPS_REACHED' | 'DEMAND_SATISFIED' | 'NO_CHILDREN';

/** One node's split. Invariant: Σ children.amount + heldBack + unallocated = amount. */
export interface NodeAllocation {
  amount: bigint;
  criterion: CriterionKind;
  heldBack: bigint;
  unallocated: bigint;
  unallocatedReasons: UnallocatedReason[];
  /** In the order the children were given. */
  children: ChildAllocation[];
}

/** A unit of the tree as the criteria see it. */
export interface AllocationTreeNode {
  unitId: string;
  attributes?: Readonly<Record<string, WeightValue>>;
  children?: readonly AllocationTreeNode[];
}

/** Every unit's allocation, flat. A leaf keeps its whole amount (no heldBack, no unallocated). */
export interface UnitAllocation {
  unitId: string;
  parentId: string | null;
  depth: number;
  amount: bigint;
  /** Explanation from the parent's policy; null for the root. */
  explanation: AllocationExplanation | null;
  /** This unit's own split; null for a leaf. */
  split: Omit<NodeAllocation, 'amount' | 'children'> | null;
}

export interface TreeAllocation {
  rootId: string;
  amount: bigint;
  /** Keyed by unit id; inserted depth-first, parents before children, children in the order given. */
  units: Record<string, UnitAllocation>;
}
