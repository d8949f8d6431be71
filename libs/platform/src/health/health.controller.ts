import { Controller, Get, Header, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Public } from '../auth/access';
import { HealthService, ReadinessReport } from './health.service';

class LivenessDto {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';
}

class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'unavailable', 'draining'] })
  status!: ReadinessReport['status'];

  @ApiProperty({
    description: 'One entry per dependency: status up or down, durationMs, and an error when down.',
    example: {
      database: { status: 'up', durationMs: 3, schema: 'allocation' },
      kafka: { status: 'down', durationMs: 2000, error: 'kafka check timed out after 2000 ms' },
    },
  })
  checks!: ReadinessReport['checks'];
}

interface StatusSettable {
  status(code: number): unknown;
}

// Public: probes carry no key, with or without AuthModule.
@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The process is up and serving HTTP (liveness probe).' })
  @ApiOkResponse({ type: LivenessDto })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'PostgreSQL (schema migrated) and Kafka answer in time (readiness probe).',
  })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({
    type: ReadinessDto,
    description: 'A dependency is down or the service is shutting down.',
  })
  async ready(@Res({ passthrough: true }) response: StatusSettable): Promise<ReadinessReport> {
    const report = await this.health.readiness();
    response.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
