// Billing profile requests. The body is validated by BillingProfiles (BILLING.INVALID_PROFILE
// with `details.issues`, every problem at once); this class documents it for OpenAPI.
import { ApiProperty } from '@nestjs/swagger';

export class BillingProfileBody {
  @ApiProperty({
    description: 'ISO 4217 code the unit and its subtree (unless overridden) are billed in.',
    example: 'EUR',
    pattern: '^[A-Z]{3}$',
  })
  currency!: string;

  @ApiProperty({
    description:
      'Cost centre code debited in the general ledger (1–64 printable ASCII characters, no surrounding spaces).',
    example: 'CC-4100-RETAIL',
    minLength: 1,
    maxLength: 64,
  })
  costCentre!: string;
}
