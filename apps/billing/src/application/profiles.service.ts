// Billing profiles: the currency and cost centre a unit (and its subtree, unless overridden) is
// billed in. One stream per unit; resolution walks the unit's ancestors in the directory.
import { Inject, Injectable } from '@nestjs/common';
import { PostgresEventStore, runUnitOfWork, type SqlExecutor } from '@plafond/ledger';
import type { BillingProfileSetData } from '../domain/billing.events';
import { BILLING_ERROR, BillingError, invalid, type ValidationIssue } from '../domain/errors';
import { textProblem } from '../domain/text';
import { appendAndProject } from './books-writer';
import type { CommandContext } from './command-context';
import { BillingDirectory } from './directory';
import { BILLING_SETTINGS, type BillingSettings } from './settings';
import { eventIds, eventMetadata, profileStreamId } from './streams';

export interface EffectiveProfile {
  readonly currency: string;
  readonly costCentre: string;
  /** The unit whose profile applies (the unit itself or an ancestor); null: the default. */
  readonly inheritedFrom: string | null;
}

export interface BillingProfileView {
  readonly unitId: string;
  readonly own: BillingProfileSetData | null;
  readonly effective: EffectiveProfile;
}

const PROFILE_FIELDS = new Set(['currency', 'costCentre']);
const CURRENCY = /^[A-Z]{3}$/;
const COST_CENTRE = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/;
const UNIT_ID_MAX = 200;

/** Validates `{ currency, costCentre }` (every problem at once); throws BILLING.INVALID_PROFILE. */
export function parseProfileInput(
  unitId: unknown,
  input: unknown,
): { unitId: string; currency: string; costCentre: string } {
  const issues: ValidationIssue[] = [];
  if (
    typeof unitId !== 'string' ||
    unitId.length === 0 ||
    unitId.length > UNIT_ID_MAX ||
    textProblem(unitId) !== undefined
  )
    issues.push({
      path: 'unitId',
      code: 'PROFILE.INVALID_UNIT',
      message: `must be a unit id of 1..${UNIT_ID_MAX} characters without control characters`,
    });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    issues.push({ path: '', code: 'PROFILE.NOT_AN_OBJECT', message: 'must be a JSON object' });
    throw invalid(BILLING_ERROR.INVALID_PROFILE, 'the billing profile is invalid', issues);
  }
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body))
    if (!PROFILE_FIELDS.has(key))
      issues.push({ path: key, code: 'PROFILE.UNKNOWN_FIELD', message: 'is not a profile field' });
  const { currency, costCentre } = body;
  if (typeof currency !== 'string' || !CURRENCY.test(currency))
    issues.push({
      path: 'currency',
      code: currency === undefined ? 'PROFILE.REQUIRED' : 'PROFILE.INVALID_CURRENCY',
      message: 'must be an ISO 4217 code of three capital letters, e.g. "EUR"',
    });
  if (typeof costCentre !== 'string' || !COST_CENTRE.test(costCentre))
    issues.push({
      path: 'costCentre',
      code: costCentre === undefined ? 'PROFILE.REQUIRED' : 'PROFILE.INVALID_COST_CENTRE',
      message: 'must be 1..64 printable ASCII characters without surrounding spaces',
    });
  if (issues.length > 0)
    throw invalid(BILLING_ERROR.INVALID_PROFILE, 'the billing profile is invalid', issues);
  return {
    unitId: unitId as string,
    currency: currency as string,
    costCentre: costCentre as string,
  };
}

@Injectable()
export class BillingProfiles {
  private readonly schema: string;

  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(BillingDirectory) private readonly directory: BillingDirectory,
    @Inject(BILLING_SETTINGS) private readonly settings: BillingSettings,
  ) {
    this.schema = settings.readModelSchema;
  }

  /** Sets the unit's own profile. Setting the same values again appends nothing. */
  async set(unitId: string, input: unknown, ctx: CommandContext): Promise<BillingProfileSetData> {
    const parsed = parseProfileInput(unitId, input);
    const data: BillingProfileSetData = {
      unitId: parsed.unitId,
      currency: parsed.currency,
      costCentre: parsed.costCentre,
    };
    return runUnitOfWork(this.store, async (tx) => {
      const streamId = profileStreamId(data.unitId);
      const events = await tx.readStream<{
        type: 'BillingProfileSet';
        data: BillingProfileSetData;
      }>(streamId);
      const last = events[events.length - 1];
      if (
        last !== undefined &&
        last.data.currency === data.currency &&
        last.data.costCentre === data.costCentre
      )
        return last.data;
      const version = last?.streamVersion ?? 0n;
      await appendAndProject(
        tx,
        streamId,
        [
          {
            type: 'BillingProfileSet',
            data,
            eventId: eventIds.profile(data.unitId, version + 1n),
            metadata: eventMetadata(ctx, data.unitId),
          },
        ],
        { expectedVersion: version, schema: this.schema },
      );
      return data;
    });
  }

  /** The unit's own profile and the one that applies; BILLING.UNIT_NOT_FOUND when nobody knows it. */
  async get(unitId: string): Promise<BillingProfileView> {
    // No unit id holds a control character (PostgreSQL refuses a NUL outright).
    if (textProblem(unitId) !== undefined)
      throw new BillingError(BILLING_ERROR.UNIT_NOT_FOUND, 'unit is not known', {
        unitId: unitId.replace(/[^\x20-\x7e]/g, '\ufffd').slice(0, 200),
      });
    return this.store.transaction(async (tx) => {
      const own = await this.ownProfile(tx.sql, unitId);
      if (own === null && (await this.directory.unit(tx.sql, unitId)) === null)
        throw new BillingError(BILLING_ERROR.UNIT_NOT_FOUND, `unit ${unitId} is not known`, {
          unitId,
        });
      return { unitId, own, effective: await this.resolve(tx.sql, unitId) };
    });
  }

  /** The profile that applies: the unit's own, else the nearest ancestor's, else the default. */
  async resolve(sql: SqlExecutor, unitId: string): Promise<EffectiveProfile> {
    const chain = [unitId, ...(await this.directory.ancestorsOf(sql, unitId))];
    const rows = await sql.query<{ unit_id: string; currency: string; cost_centre: string }>(
      `SELECT unit_id, currency, cost_centre FROM "${this.schema}".billing_profiles
        WHERE unit_id = ANY($1::text[])`,
      [chain],
    );
    const byUnit = new Map(rows.map((row) => [row.unit_id, row]));
    for (const id of chain) {
      const row = byUnit.get(id);
      if (row !== undefined)
        return { currency: row.currency, costCentre: row.cost_centre, inheritedFrom: id };
    }
    return { currency: this.settings.defaultCurrency, costCentre: unitId, inheritedFrom: null };
  }

  private async ownProfile(
    sql: SqlExecutor,
    unitId: string,
  ): Promise<BillingProfileSetData | null> {
    const [row] = await sql.query<{ currency: string; cost_centre: string }>(
      `SELECT currency, cost_centre FROM "${this.schema}".billing_profiles WHERE unit_id = $1`,
      [unitId],
    );
    return row === undefined
      ? null
      : { unitId, currency: row.currency, costCentre: row.cost_centre };
  }
}
