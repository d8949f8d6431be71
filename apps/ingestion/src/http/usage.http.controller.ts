import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PostgresEventStore } from '@plafond/ledger';
import { CurrentPrincipal, isDatabaseBusy, Roles, type Principal } from '@plafond/platform';
import { UsagePipeline } from '../application';
import { IntegratorService } from '../integrators';
import { INGESTION_HTTP_SETTINGS, type IngestionHttpSettings } from './http.settings';
import { UsageAdmission } from './usage-admission';
import { interruptedBatch, recordedItems } from './usage-interrupted';
import {
  CLOUDEVENTS_BATCH,
  readUsageBatch,
  usageBatchAnswer,
  type UsageBatchAnswer,
} from './usage-batch';
import {
  USAGE_CLOUDEVENTS_BATCH_EXAMPLE,
  USAGE_JSON_ARRAY_EXAMPLE,
  UsageBatchAnswerDto,
} from './usage.dto';

@ApiTags('usage')
@Controller('v1/usage')
export class UsageHttpController {
  /** Bounds the items in progress in this process; checked before any work (usage-admission.ts). */
  private readonly admission: UsageAdmission;

  constructor(
    private readonly pipeline: UsagePipeline,
    private readonly integrators: IntegratorService,
    @Inject(INGESTION_HTTP_SETTINGS) private readonly settings: IngestionHttpSettings,
    private readonly store: PostgresEventStore,
  ) {
    this.admission = new UsageAdmission(settings.maxItemsInFlight);
  }

  @Post()
  @Roles('integrator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report a batch of usage events (roles: integrator, admin)',
    description:
      'A JSON array of usage events (plain objects or CloudEvents), or ' +
      '`application/cloudevents-batch+json`. The answer (200) gives every item its verdict: ' +
      'accepted, duplicate (already recorded with the same payload) or rejected with ' +
      '`{ code, message, path }`. Accepted items are committed to PostgreSQL before the answer. ' +
      'Errors of the batch as a whole: 400 `INGEST.BATCH_EMPTY` / `INGEST.BATCH_NOT_ARRAY`, ' +
      '413 `INGEST.BATCH_TOO_LARGE` (items) or `REQUEST.TOO_LARGE` (bytes), 415, ' +
      '503 `INGEST.BUSY` (too many items in progress on this instance: nothing of the batch ' +
      'was recorded; `Retry-After`, send it again), 503 `SERVICE.BUSY` (the database had no ' +
      'connection free half-way: `details.recorded` lists the items recorded; send the whole ' +
      'batch again, those answer duplicate).',
  })
  @ApiConsumes('application/json', CLOUDEVENTS_BATCH)
  @ApiBody({
    schema: { type: 'array', items: { type: 'object' } },
    examples: {
      jsonArray: { summary: 'application/json', value: USAGE_JSON_ARRAY_EXAMPLE },
      cloudEventsBatch: { summary: CLOUDEVENTS_BATCH, value: USAGE_CLOUDEVENTS_BATCH_EXAMPLE },
    },
  })
  @ApiOkResponse({ type: UsageBatchAnswerDto })
  async report(
    @CurrentPrincipal() caller: Principal,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
  ): Promise<UsageBatchAnswer> {
    const items = readUsageBatch(body, contentType, this.settings.maxBatchItems);
    return this.admission.run(items.length, async () => {
      const ingestionCaller = await this.integrators.callerForKey(caller);
      try {
        return usageBatchAnswer(await this.pipeline.ingest(items, ingestionCaller, 'http'));
      } catch (error) {
        if (!isDatabaseBusy(error)) throw error;
        // Interrupted half-way: say exactly which items are recorded (usage-interrupted.ts).
        const recorded = await recordedItems(
          this.store.sql,
          this.store.schema,
          items,
          ingestionCaller,
        ).catch(() => null);
        throw interruptedBatch(recorded, items.length);
      }
    });
  }
}
