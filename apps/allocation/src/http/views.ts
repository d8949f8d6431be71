// Response shapes, for the OpenAPI document only: the controllers return the services' views
// (plain JSON, amounts as decimal strings, instants ISO-8601), which these classes describe.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ledgerVerifyView } from '@plafond/platform';
import { DIMENSION_NAMES } from '@plafond/contracts';

const amount = (description: string, example: string) =>
  ApiProperty({ type: String, description: `${description} (decimal string).`, example });

export class UnitView {
  @ApiProperty({ example: 'team-search' })
  unitId!: string;

  @ApiProperty({ example: 'bu-retail', nullable: true, type: String })
  parentId!: string | null;

  @ApiProperty({ example: 'Search team' })
  name!: string;

  @ApiProperty({ example: false })
  archived!: boolean;

  @ApiProperty({ example: ['team-search-infra'], type: [String] })
  children!: string[];

  @ApiProperty({
    description: 'Attribute versions, in the order they were set.',
    example: [{ effectiveFrom: '2026-03-01', values: { headcount: '42' } }],
  })
  attributeVersions!: { effectiveFrom: string; values: Record<string, unknown> }[];
}

export class SubtreeNodeView {
  @ApiProperty({ example: 'bu-retail' })
  unitId!: string;

  @ApiProperty({ example: 'acme', nullable: true, type: String })
  parentId!: string | null;

  @ApiProperty({ example: 'Retail' })
  name!: string;

  @ApiProperty({ example: false })
  archived!: boolean;

  @ApiProperty({ description: 'Depth below the requested unit (0 for it).', example: 0 })
  depth!: number;

  @ApiProperty({
    type: () => [SubtreeNodeView],
    example: [
      {
        unitId: 'team-search',
        parentId: 'bu-retail',
        name: 'Search team',
        archived: false,
        depth: 1,
        children: [],
      },
    ],
  })
  children!: SubtreeNodeView[];
}

export class UsefulnessClassView {
  @ApiProperty({ example: 'discretionary' })
  className!: string;

  @ApiProperty({ example: 'Nice-to-have uses, shed first under scarcity' })
  description!: string;

  @ApiProperty({ example: { kind: 'allowed', shedAboveUtilisationBasisPoints: 8000 } })
  rule!: Record<string, unknown>;
}

export class UseCaseView {
  @ApiProperty({ example: 'support-triage' })
  useCase!: string;

  @ApiProperty({ example: 'essential' })
  className!: string;

  @ApiProperty({ example: 'Routing of customer support tickets' })
  description!: string;

  @ApiProperty({ example: false })
  retired!: boolean;
}

export class PeriodView {
  @ApiProperty({ enum: ['month', 'range'], example: 'month' })
  kind!: string;

  @ApiProperty({ example: '2026-03' })
  key!: string;

  @ApiProperty({ example: 'Europe/Paris' })
  timeZone!: string;

  @ApiProperty({ example: '2026-02-28T23:00:00.000Z' })
  startsAt!: string;

  @ApiProperty({ description: 'Exclusive.', example: '2026-03-31T22:00:00.000Z' })
  endsAt!: string;
}

export class BudgetView {
  @ApiProperty({ example: 'energy-2026-03' })
  budgetId!: string;

  @ApiProperty({ enum: ['open', 'closed'], example: 'open' })
  status!: string;

  @ApiProperty({ example: 'acme' })
  perimeterUnitId!: string;

  @ApiProperty({ enum: DIMENSION_NAMES, example: 'energy' })
  dimension!: string;

  @ApiProperty({ type: PeriodView })
  period!: PeriodView;

  @amount('The ceiling', '1000000000000')
  ceiling!: string;

  @amount('Σ of the allocation rounds, ≤ ceiling', '950000000000')
  allocated!: string;

  @ApiProperty({ enum: ['hard', 'soft'], example: 'hard' })
  mode!: string;

  @ApiProperty({ example: [5000, 8000, 10000], type: [Number] })
  thresholdsBasisPoints!: number[];
}

const EXPLANATION_EXAMPLE = {
  contributions: [
    {
      criterion: 'weight',
      attribute: 'headcount',
      weight: '42',
      totalWeight: '120',
      componentAmount: '950000000000',
      amount: '332500000000',
      roundedUp: false,
    },
  ],
  boundBy: null,
};

export class AllocatedUnitView {
  @ApiProperty({ example: 'team-search' })
  unitId!: string;

  @ApiProperty({ example: 'bu-retail', nullable: true, type: String })
  parentId!: string | null;

  @ApiProperty({ example: 2 })
  depth!: number;

  @amount('The unit’s part, its subtree included', '332500000000')
  amount!: string;

  @amount('What its own account receives (a parent keeps its pool)', '332500000000')
  spendable!: string;

  @ApiProperty({
    description:
      'From the parent’s policy: what each criterion contributed (they sum to amount) and ' +
      'which floor, cap or demand bound it.',
    example: EXPLANATION_EXAMPLE,
    nullable: true,
  })
  explanation!: Record<string, unknown> | null;

  @ApiProperty({
    description:
      'How the unit split its own amount among its children: the criterion, what it held back ' +
      '(contingency) and left unallocated, and why (null for a leaf).',
    nullable: true,
    example: {
      criterion: 'weights',
      heldBack: '120000000',
      unallocated: '0',
      unallocatedReasons: [],
    },
  })
  split!: Record<string, unknown> | null;
}

export class AllocationPreviewView {
  @ApiProperty({ example: 'energy-2026-03' })
  budgetId!: string;

  @amount('The amount split', '950000000000')
  amount!: string;

  @ApiProperty({ type: [AllocatedUnitView] })
  units!: AllocatedUnitView[];
}

export class AllocationView extends AllocationPreviewView {
  @ApiProperty({ example: 'round-1' })
  allocationId!: string;

  @ApiProperty({ description: 'The policies as given.', example: {} })
  policies!: Record<string, unknown>;
}

export class AllocationRoundView {
  @ApiProperty({ example: 'round-1' })
  allocationId!: string;

  @amount('The amount split', '950000000000')
  amount!: string;

  @ApiProperty({ example: 'admin:k7d2m9x4q1ab', nullable: true, type: String })
  actor!: string | null;

  @ApiProperty({ example: 'March allocation', nullable: true, type: String })
  reason!: string | null;

  @ApiProperty({ example: '2026-03-01T09:30:00.000Z' })
  occurredAt!: string;
}

export class AllocationListView {
  @ApiProperty({ example: 'energy-2026-03' })
  budgetId!: string;

  @ApiProperty({ type: [AllocationRoundView], description: 'Oldest first.' })
  items!: AllocationRoundView[];
}

export class TransferView {
  @ApiProperty({ example: 'energy-2026-03' })
  budgetId!: string;

  @ApiProperty({ example: 'tr-2026-03-12-01' })
  transferId!: string;

  @ApiProperty({ example: 'team-checkout' })
  fromUnitId!: string;

  @ApiProperty({ example: 'team-search' })
  toUnitId!: string;

  @amount('Moved', '20000000000')
  amount!: string;

  @ApiProperty({ example: 'Search re-index' })
  reason!: string;

  @ApiProperty({ example: 'admin:k3x9q2m7p1aa' })
  actor!: string;
}

export class BalanceTotalsView {
  @amount('Allocated, transfers and reclaims included', '332500000000')
  allocated!: string;

  @amount('Held by pending reservations', '5000000')
  reserved!: string;

  @amount('Used (committed reservations and direct usage)', '120000000000')
  committed!: string;

  @amount('allocated − reserved − committed within the allocation', '212495000000')
  available!: string;

  @amount('Usage beyond the allocation (a debt billing surcharges)', '0')
  overrun!: string;
}

export class UnitBalanceRowView extends BalanceTotalsView {
  @ApiProperty({ example: 'energy-2026-03' })
  budgetId!: string;

  @ApiProperty({ example: 'team-search' })
  unitId!: string;

  @ApiProperty({ description: 'Blocked for new reservations after an overrun.', example: false })
  blocked!: boolean;

  @ApiProperty({ description: 'The account was closed with the period.', example: false })
  closed!: boolean;

  @ApiPropertyOptional({
    type: BalanceTotalsView,
    description: 'The unit and everything below it (rolled up).',
  })
  subtree?: BalanceTotalsView;
}

export class UnitBalanceView extends UnitBalanceRowView {
  @ApiProperty({ enum: DIMENSION_NAMES, example: 'energy' })
  dimension!: string;

  @ApiProperty({
    description: 'The asOf the figures are for (`position:<n>` or an instant), null for now.',
    example: '2026-03-10T00:00:00.000Z',
    nullable: true,
    type: String,
  })
  asOf!: string | null;
}

export class BudgetBalancesView {
  @ApiProperty({ example: 'energy-2026-03' })
  budgetId!: string;

  @ApiProperty({ example: 'acme' })
  perimeterUnitId!: string;

  @ApiProperty({ enum: DIMENSION_NAMES, example: 'energy' })
  dimension!: string;

  @ApiProperty({ enum: ['open', 'closed'], example: 'open' })
  status!: string;

  @ApiProperty({
    description: 'The asOf the figures are for, or null for now.',
    example: null,
    nullable: true,
    type: String,
  })
  asOf!: string | null;

  @ApiProperty({
    type: BalanceTotalsView,
    description: 'Σ of every account (for a unit manager: of the rows it sees).',
  })
  totals!: BalanceTotalsView;

  @ApiProperty({
    type: [UnitBalanceRowView],
    description: 'The perimeter’s units in tree order (parents first), own and subtree figures.',
  })
  units!: UnitBalanceRowView[];
}

export class HistoryEntryView {
  @ApiProperty({ example: 'QuotaTransferredIn' })
  type!: string;

  @ApiProperty({ example: { transferId: 'tr-2026-03-12-01', amount: '20000000000' } })
  data!: Record<string, unknown>;

  @ApiProperty({ example: 'unit_manager:k3x9q2m7p1aa', nullable: true, type: String })
  actor!: string | null;

  @ApiProperty({ example: 'Search re-index', nullable: true, type: String })
  reason!: string | null;

  @ApiProperty({ example: '6f1d0c1e-3b8a-4c1e-9f54-1f0e2a7c9d10', nullable: true, type: String })
  correlationId!: string | null;

  @ApiProperty({ example: '2026-03-12T09:30:00.000Z', nullable: true, type: String })
  occurredAt!: string | null;

  @ApiProperty({ example: '2026-03-12T09:30:00.120Z' })
  recordedAt!: string;

  @ApiProperty({ example: 'account-14:energy-2026-03:team-search' })
  streamId!: string;

  @ApiProperty({ example: '17' })
  version!: string;

  @ApiProperty({ description: 'Global ledger position.', example: '18233' })
  position!: string;
}

/** A history page's cursor. */
const nextBefore = () =>
  ApiProperty({
    description: 'Pass as `before` for the next page; null at the end.',
    example: '18233',
    nullable: true,
    type: String,
  });

export class UnitHistoryView {
  @ApiProperty({ example: 'team-search' })
  unitId!: string;

  @ApiProperty({
    description: 'The budget filter asked for, or null.',
    example: null,
    nullable: true,
    type: String,
  })
  budgetId!: string | null;

  @ApiProperty({ type: [HistoryEntryView] })
  events!: HistoryEntryView[];

  @nextBefore()
  nextBefore!: string | null;
}

export class BudgetHistoryView {
  @ApiProperty({ example: 'energy-2026-03' })
  budgetId!: string;

  @ApiProperty({
    type: [HistoryEntryView],
    description: 'The budget stream’s events, newest first, data whole.',
  })
  events!: HistoryEntryView[];

  @nextBefore()
  nextBefore!: string | null;
}

export class ReservationView {
  @ApiProperty({ example: 'job-7f3a' })
  reservationId!: string;

  @ApiProperty({ example: 'energy-2026-03' })
  budgetId!: string;

  @ApiProperty({ example: 'team-search' })
  unitId!: string;

  @ApiProperty({ enum: DIMENSION_NAMES, example: 'energy' })
  dimension!: string;

  @ApiProperty({ example: 'support-triage' })
  useCase!: string;

  @ApiProperty({ example: 'essential' })
  usefulnessClass!: string;

  @amount('Reserved', '5000000')
  amount!: string;

  @ApiProperty({ enum: ['pending', 'committed', 'released', 'expired'], example: 'pending' })
  status!: string;

  @ApiPropertyOptional({ type: String, example: '4200000' })
  committedAmount?: string;

  @ApiPropertyOptional({ type: String, example: '800000' })
  releasedAmount?: string;

  @ApiProperty({ example: '2026-03-12T10:15:00.000Z' })
  expiresAt!: string;

  @amount('The unit’s available quota right after the grant', '212495000000')
  available!: string;
}

export class DeadLetterErrorView {
  @ApiProperty({ example: 'CONTRACT.INVALID' })
  code!: string;

  @ApiProperty({ example: 'data.energyMicroWh: must be a decimal integer string' })
  message!: string;

  @ApiProperty({
    description: 'Contract issues or the refusal’s details, when there are.',
    nullable: true,
    example: [{ path: 'data.energyMicroWh', code: 'QUANTITY.NOT_A_STRING', message: '...' }],
  })
  details!: unknown;
}

export class DeadLetterView {
  @ApiProperty({ example: '121' })
  id!: string;

  @ApiProperty({ example: 'plafond-allocation.usage' })
  consumer!: string;

  @ApiProperty({ example: 'plafond.usage.recorded.v1' })
  topic!: string;

  @ApiProperty({ example: 3 })
  partition!: number;

  @ApiProperty({ example: '18842' })
  offset!: string;

  @ApiProperty({
    description: 'UTF-8 text, or `{ base64 }` for other bytes.',
    nullable: true,
    example: 'team-search',
  })
  key!: unknown;

  @ApiProperty({ example: { ce_type: 'org.plafond.usage.recorded.v1' } })
  headers!: Record<string, unknown>;

  @ApiProperty({ example: 412 })
  valueBytes!: number;

  @ApiProperty({
    description: 'The value (its first 4 KiB in a list): UTF-8 text, or `{ base64 }`.',
    nullable: true,
    example: '{"specversion":"1.0","type":"org.plafond.usage.recorded.v1"}',
  })
  value!: unknown;

  @ApiProperty({ example: false })
  valueTruncated!: boolean;

  @ApiProperty({ type: DeadLetterErrorView })
  error!: DeadLetterErrorView;

  @ApiProperty({ example: '2026-03-12T09:30:00.000Z' })
  receivedAt!: string;
}

export class DeadLetterPageView {
  @ApiProperty({ type: [DeadLetterView] })
  items!: DeadLetterView[];

  @ApiProperty({
    description: 'Pass as `after` for the next page; null on the last page.',
    nullable: true,
    type: String,
    example: null,
  })
  nextAfter!: string | null;
}

export class ProjectionStatusView {
  @ApiProperty({ example: 'allocation.unit-balances' })
  name!: string;

  @ApiProperty({ example: 'running' })
  state!: string;

  @ApiProperty({
    description: 'Committed events not yet projected (decimal string); null if not measured.',
    example: '0',
    nullable: true,
    type: String,
  })
  lag!: string | null;

  @ApiProperty({
    description: 'The lag hit the count bound: the real lag is larger.',
    example: false,
  })
  lagAtLeast!: boolean;

  @ApiProperty({
    description: 'Of the lag, events an older open transaction holds back.',
    example: 0,
  })
  eventsHeldBack!: number;

  @ApiProperty({
    nullable: true,
    example: { transactionId: '81234', globalPosition: '18233' },
  })
  checkpoint!: { transactionId: string; globalPosition: string } | null;

  @ApiProperty({ example: 18233 })
  eventsProcessed!: number;

  @ApiProperty({ example: 0 })
  consecutiveFailures!: number;

  @ApiProperty({ nullable: true, example: null })
  lastError!: { code?: string; message: string } | null;
}

export class ProjectionReplayView {
  @ApiProperty({ example: 'unit-balances' })
  projection!: string;

  @ApiProperty({ example: 18233 })
  eventsApplied!: number;

  @ApiProperty({
    description: 'The live checkpoint both digests were taken at.',
    example: { transactionId: '81234', globalPosition: '18233' },
  })
  checkpoint!: { transactionId: string; globalPosition: string };

  @ApiProperty({
    description: 'Digest and row count of the live table.',
    example: { digest: '9f2c4e…', rowCounts: { unit_balances: 42 } },
  })
  live!: Record<string, unknown>;

  @ApiProperty({
    description: 'Digest and row count rebuilt from the ledger.',
    example: { digest: '9f2c4e…', rowCounts: { unit_balances: 42 } },
  })
  rebuilt!: Record<string, unknown>;

  @ApiProperty({ example: true })
  match!: boolean;
}

export const LedgerVerifyView = ledgerVerifyView({ eventsChecked: 18233, streamsChecked: 377 });

export class MessagingStatusView {
  @ApiProperty({
    description: 'The relay publishing public allocation events: state, topic, lag.',
    example: {
      state: 'running',
      attempts: 1,
      topic: 'plafond.allocation.events.v1',
      subscription: { name: 'kafka-relay', state: 'running' },
      lag: { eventsBehind: '0' },
    },
  })
  relay!: Record<string, unknown>;

  @ApiProperty({
    description: 'The usage.recorded consumer.',
    example: {
      state: 'running',
      attempts: 1,
      topic: 'plafond.usage.recorded.v1',
      groupId: 'plafond-allocation.usage',
    },
  })
  usageConsumer!: Record<string, unknown>;

  @ApiProperty({ example: { count: 2 } })
  deadLetters!: { count: number };
}
