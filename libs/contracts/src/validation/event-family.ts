// One family of public events (allocation, billing): reading a decoded CloudEvent as a typed
// event of the family, and checking an event's `data` against the family's documented fields.
import type { CloudEvent } from '../cloudevents';
import type { Fields, FieldChecks } from './field-checks';
import type { ContractIssue, ValidationResult } from './issue';

/** A public event read from its CloudEvent, discriminated by `name`. */
export type PublicEventV1<
  Name extends string,
  Type extends string,
  Data extends { readonly [K in Name]: unknown },
> = {
  [K in Name]: {
    readonly name: K;
    readonly type: Type;
    readonly data: Data[K];
    /** The envelope: id, source, subject (stream), time, partitionkey (the record key), ledger* extensions. */
    readonly cloudEvent: CloudEvent;
  };
}[Name];

export interface EventFamilyV1<
  Name extends string,
  Type extends string,
  Data extends { readonly [K in Name]: unknown },
> {
  /** Checks `data` of the event `name`; never throws. */
  validateData<K extends Name>(
    name: K,
    data: unknown,
    options?: { readonly path?: string },
  ): ValidationResult<Data[K]>;
  /** Reads a decoded CloudEvent as an event of the family; an unknown type is `unknownTypeCode`. */
  parse(event: CloudEvent): ValidationResult<PublicEventV1<Name, Type, Data>>;
}

export interface EventFamilySpecV1<Name extends string> {
  /** The event name of a public v1 type, or null. */
  readonly nameOf: (type: string) => Name | null;
  /** The documented fields of each event's `data`. */
  readonly fields: { readonly [K in Name]: Fields };
  /** The family's checks (their `checkFields` reports the family's codes). */
  readonly checks: Pick<FieldChecks, 'checkFields'>;
  readonly unknownTypeCode: string;
  /** Names the family in messages: `"…" is not a public ${label} event type (v1)`. */
  readonly label: string;
}

export function eventFamilyV1<
  Name extends string,
  Type extends string,
  Data extends { readonly [K in Name]: unknown },
>(spec: EventFamilySpecV1<Name>): EventFamilyV1<Name, Type, Data> {
  function validateData<K extends Name>(
    name: K,
    data: unknown,
    options: { readonly path?: string } = {},
  ): ValidationResult<Data[K]> {
    const issues: ContractIssue[] = [];
    spec.checks.checkFields(data, options.path ?? 'data', spec.fields[name], issues);
    if (issues.length > 0) return { ok: false, issues };
    return { ok: true, value: data as Data[K] };
  }

  function parse(event: CloudEvent): ValidationResult<PublicEventV1<Name, Type, Data>> {
    const name = spec.nameOf(event.type);
    if (name === null) {
      return {
        ok: false,
        issues: [
          {
            path: 'type',
            code: spec.unknownTypeCode,
            message: `"${event.type}" is not a public ${spec.label} event type (v1)`,
          },
        ],
      };
    }
    const result = validateData(name, event.data);
    if (!result.ok) return result;
    const value = {
      name,
      type: event.type as Type,
      data: result.value,
      cloudEvent: event,
    } as PublicEventV1<Name, Type, Data>;
    return { ok: true, value };
  }

  return { validateData, parse };
}
