// OpenAPI shapes and examples of POST /v1/usage (the body is read by readUsageBatch, not by
// class-validator: every element gets its own verdict in the answer).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const USAGE_JSON_ARRAY_EXAMPLE = [
  {
    id: 'req-7f3a-0001',
    unitId: 'team-search',
    useCase: 'support-chat',
    model: 'meta-llama-3.1-70b-instruct',
    region: 'fr',
    inputTokens: '1200',
    outputTokens: '350',
    occurredAt: '2026-11-29T06:59:00Z',
  },
  {
    id: 'req-7f3a-0002',
    unitId: 'team-search',
    useCase: 'support-chat',
    'gen_ai.request.model': 'mistral-7b-instruct-v0.3',
    'gen_ai.usage.input_tokens': 800,
    'gen_ai.usage.output_tokens': 120,
    region: 'fr',
    occurredAt: '2026-11-29T06:59:30Z',
  },
];

export const USAGE_CLOUDEVENTS_BATCH_EXAMPLE = [
  {
    specversion: '1.0',
    id: 'req-7f3a-0003',
    source: 'urn:acme:llm-gateway',
    type: 'org.plafond.usage.reported.v1',
    datacontenttype: 'application/json',
    time: '2026-11-29T07:00:00Z',
    data: {
      unitId: 'team-search',
      useCase: 'support-chat',
      model: 'meta-llama-3.1-70b-instruct',
      region: 'fr',
      inputTokens: '1200',
      outputTokens: '350',
      occurredAt: '2026-11-29T06:59:00Z',
    },
  },
];

export class UsageItemErrorDto {
  @ApiProperty({ example: 'INGEST.UNIT_OUT_OF_SCOPE' }) code!: string;
  @ApiProperty({ example: 'this key may not report for unit "team-ads"' }) message!: string;
  @ApiProperty({
    description: 'From the body’s root: `[index]` then the field.',
    example: '[2].data.unitId',
  })
  path!: string;
}

export class UsageItemAnswerDto {
  @ApiProperty({ example: 0 }) index!: number;
  @ApiProperty({ enum: ['accepted', 'duplicate', 'rejected'], example: 'accepted' })
  status!: 'accepted' | 'duplicate' | 'rejected';
  @ApiPropertyOptional({ example: 'req-7f3a-0001' }) id?: string;
  @ApiPropertyOptional({ example: 'urn:acme:llm-gateway' }) source?: string;
  @ApiPropertyOptional({
    description: 'accepted and duplicate: id of the usage.recorded event.',
    example: 'ingest-rec-3f1c…',
  })
  recordedEventId?: string;
  @ApiPropertyOptional({ type: UsageItemErrorDto, description: 'rejected: the first reason.' })
  error?: UsageItemErrorDto;
  @ApiPropertyOptional({ type: [UsageItemErrorDto], description: 'rejected: every reason.' })
  issues?: UsageItemErrorDto[];
}

export class UsageBatchAnswerDto {
  @ApiProperty({ example: 2 }) accepted!: number;
  @ApiProperty({ example: 0 }) duplicates!: number;
  @ApiProperty({ example: 1 }) rejected!: number;
  @ApiProperty({ type: [UsageItemAnswerDto] }) items!: UsageItemAnswerDto[];
}
