import { useId } from 'react';
import type { UnitNode } from '../api/types';

function flatten(node: UnitNode, depth = 0): { unitId: string; label: string }[] {
  return [
    { unitId: node.unitId, label: `${'\u00a0\u00a0'.repeat(depth)}${node.name} (${node.unitId})` },
    ...node.children.flatMap((child) => flatten(child, depth + 1)),
  ];
}

/** A labelled <select> over a unit tree (indented by depth). */
export function UnitPicker({
  tree,
  value,
  onChange,
  label = 'Unit',
  allowNone,
}: {
  tree: UnitNode;
  value: string | undefined;
  onChange: (unitId: string | undefined) => void;
  label?: string;
  /** Label of an empty first option (e.g. "All units"); none when absent. */
  allowNone?: string;
}) {
  const id = useId();
  const options = flatten(tree);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value ?? ''}
        onChange={(event) => onChange(event.target.value || undefined)}
      >
        {allowNone !== undefined && <option value="">{allowNone}</option>}
        {options.map((option) => (
          <option key={option.unitId} value={option.unitId}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
