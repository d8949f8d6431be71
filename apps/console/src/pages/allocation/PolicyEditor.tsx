import { useId, useState } from 'react';
import type { AllocatedUnit } from '../../api/types';
import { ErrorMessage } from '../../components';
import { ApiError } from '../../api/client';
import { getIn, setIn } from '../../lib/whatif';

type Policies = Record<string, unknown>;
type Path = (string | number)[];

/**
 * Edits a round's policies (per parent: contingency, weight components, tier multipliers,
 * floors, caps, demands, static amounts), or the whole JSON. Numbers keep their JSON type
 * when the original was a number; amounts stay decimal strings.
 */
export function PolicyEditor({
  policies,
  onChange,
  units,
  dimension,
}: {
  policies: Policies;
  onChange: (next: Policies) => void;
  units: readonly AllocatedUnit[];
  dimension: string;
}) {
  const parents = Object.keys(policies).sort(
    (a, b) =>
      (units.find((unit) => unit.unitId === a)?.depth ?? 0) -
        (units.find((unit) => unit.unitId === b)?.depth ?? 0) || a.localeCompare(b),
  );
  const set = (path: Path, raw: string, numeric: boolean) => {
    const text = raw.trim();
    let value: unknown;
    if (text === '') value = undefined;
    else if (numeric && /^\d+$/.test(text) && Number.isSafeInteger(Number(text)))
      value = Number(text);
    else value = text;
    onChange(setIn(policies, path, value));
  };
  return (
    <details className="panel" open>
      <summary>Policies per parent unit</summary>
      <p className="muted small">
        Amounts in µ-units of {dimension} as integers; basis points out of 10 000. An empty field
        removes the setting.
      </p>
      {parents.length === 0 && <p className="muted">This round stored no policies.</p>}
      {parents.map((parentId) => (
        <ParentPolicy key={parentId} parentId={parentId} policy={policies[parentId]} set={set} />
      ))}
      <JsonEditor policies={policies} onChange={onChange} />
    </details>
  );
}

function NumberField({
  label,
  path,
  value,
  set,
  numeric,
}: {
  label: string;
  path: Path;
  value: unknown;
  set: (path: Path, raw: string, numeric: boolean) => void;
  numeric: boolean;
}) {
  const id = useId();
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="num"
        inputMode="numeric"
        size={12}
        value={text}
        onChange={(event) => set(path, event.target.value, numeric)}
      />
    </div>
  );
}

interface Member {
  childId?: string;
  tier?: string;
  [field: string]: unknown;
}

function ParentPolicy({
  parentId,
  policy,
  set,
}: {
  parentId: string;
  policy: unknown;
  set: (path: Path, raw: string, numeric: boolean) => void;
}) {
  const rule = getIn(policy, ['rule']) as Record<string, unknown> | undefined;
  const kind = typeof rule?.kind === 'string' ? rule.kind : 'unknown';
  const contingency = getIn(policy, ['contingency']) as Record<string, unknown> | undefined;
  const members = (Array.isArray(rule?.members) ? rule.members : []) as Member[];
  const components = (Array.isArray(rule?.components) ? rule.components : []) as {
    attribute?: string;
    basisPoints?: unknown;
  }[];
  const tiers = (Array.isArray(rule?.tiers) ? rule.tiers : []) as {
    tier?: string;
    multiplier?: unknown;
  }[];
  const memberFields =
    kind === 'tiers'
      ? ['floor', 'cap']
      : kind === 'fairShare'
        ? ['demand', 'floor', 'cap']
        : kind === 'static'
          ? ['amount']
          : [];

  return (
    <fieldset className="panel">
      <legend>
        <strong>{parentId}</strong> splits by <code>{kind}</code>
        {kind === 'tiers' && typeof rule?.mode === 'string' ? ` (${rule.mode})` : ''}
      </legend>
      <div className="toolbar">
        {contingency && 'amount' in contingency ? (
          <NumberField
            label={`${parentId} contingency amount`}
            path={[parentId, 'contingency', 'amount']}
            value={contingency.amount}
            set={set}
            numeric={false}
          />
        ) : (
          <NumberField
            label={`${parentId} contingency (basis points)`}
            path={[parentId, 'contingency', 'basisPoints']}
            value={contingency?.basisPoints}
            set={set}
            numeric
          />
        )}
        {components.map((component, index) => (
          <NumberField
            key={`component-${index}`}
            label={`${parentId} weight of ${component.attribute ?? `component ${index + 1}`} (basis points)`}
            path={[parentId, 'rule', 'components', index, 'basisPoints']}
            value={component.basisPoints}
            set={set}
            numeric
          />
        ))}
        {tiers.map((tier, index) => (
          <NumberField
            key={`tier-${index}`}
            label={`${parentId} ${tier.tier ?? `tier ${index + 1}`} multiplier`}
            path={[parentId, 'rule', 'tiers', index, 'multiplier']}
            value={tier.multiplier}
            set={set}
            numeric={typeof tier.multiplier === 'number'}
          />
        ))}
      </div>
      {memberFields.length > 0 && members.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Members of {parentId}</caption>
            <thead>
              <tr>
                <th scope="col">Member</th>
                {kind === 'tiers' && <th scope="col">Tier</th>}
                {memberFields.map((field) => (
                  <th key={field} scope="col">
                    {field}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {members.map((member, index) => (
                <tr key={member.childId ?? index}>
                  <th scope="row">{member.childId}</th>
                  {kind === 'tiers' && <td>{member.tier}</td>}
                  {memberFields.map((field) => (
                    <td key={field}>
                      <input
                        className="num"
                        inputMode="numeric"
                        size={12}
                        aria-label={`${member.childId ?? `member ${index + 1}`} ${field}`}
                        value={member[field] === undefined ? '' : String(member[field] as string)}
                        onChange={(event) =>
                          set(
                            [parentId, 'rule', 'members', index, field],
                            event.target.value,
                            false,
                          )
                        }
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </fieldset>
  );
}

function JsonEditor({
  policies,
  onChange,
}: {
  policies: Policies;
  onChange: (next: Policies) => void;
}) {
  const id = useId();
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const shown = text ?? JSON.stringify(policies, null, 2);
  const apply = () => {
    try {
      const parsed: unknown = JSON.parse(shown);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error('The policies must be a JSON object keyed by parent unit id.');
      }
      onChange(parsed as Policies);
      setText(null);
      setError(null);
    } catch (caught) {
      setError(
        new ApiError(
          0,
          'CONSOLE.JSON_INVALID',
          caught instanceof Error ? caught.message : String(caught),
        ),
      );
    }
  };
  return (
    <details>
      <summary>Edit the policies as JSON</summary>
      <div className="field">
        <label htmlFor={id}>Policies (JSON)</label>
        <textarea
          id={id}
          rows={14}
          spellCheck={false}
          value={shown}
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      <div className="toolbar" style={{ marginTop: '0.5rem' }}>
        <button type="button" className="secondary" onClick={apply}>
          Apply JSON
        </button>
        {text !== null && (
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setText(null);
              setError(null);
            }}
          >
            Discard JSON edits
          </button>
        )}
      </div>
      {error && <ErrorMessage error={error} title="The JSON could not be used" />}
    </details>
  );
}
