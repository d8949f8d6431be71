import { Type } from 'class-transformer';
import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { PlafondError } from './plafond-error';
import { createValidationPipe } from './validation';

class ItemDto {
  @IsString()
  unitId!: string;

  @IsInt()
  @Min(0)
  amount!: number;
}

class BatchDto {
  @IsString()
  source!: string;

  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  items!: ItemDto[];
}

async function rejection(body: unknown): Promise<PlafondError> {
  const pipe = createValidationPipe();
  try {
    await pipe.transform(body, { type: 'body', metatype: BatchDto });
  } catch (error) {
    if (error instanceof PlafondError) return error;
    throw error;
  }
  throw new Error('expected the body to be rejected');
}

describe('the validation pipe', () => {
  it('reports every failing field by path as REQUEST.INVALID', async () => {
    const error = await rejection({
      source: 5,
      items: [
        { unitId: 'u-1', amount: 1 },
        { unitId: 'u-2', amount: -1.5 },
      ],
    });
    expect(error.code).toBe('REQUEST.INVALID');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toBe('The request is invalid: source, items.1.amount.');
    expect(error.details).toEqual({
      fields: [
        { field: 'source', errors: ['source must be a string'] },
        {
          field: 'items.1.amount',
          errors: expect.arrayContaining([
            'amount must be an integer number',
            'amount must not be less than 0',
          ]),
        },
      ],
    });
  });

  it('rejects properties the DTO does not declare', async () => {
    const error = await rejection({ source: 'gw', items: [], sourse: 'typo' });
    expect(error.details).toEqual({
      fields: [{ field: 'sourse', errors: ['property sourse should not exist'] }],
    });
  });

  it('converts a valid body to the DTO class', async () => {
    const value: unknown = await createValidationPipe().transform(
      { source: 'gw', items: [{ unitId: 'u-1', amount: 3 }] },
      { type: 'body', metatype: BatchDto },
    );
    expect(value).toBeInstanceOf(BatchDto);
    expect((value as BatchDto).items[0]).toBeInstanceOf(ItemDto);
  });
});
