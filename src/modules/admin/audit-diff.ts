// Turns an audit entry's before/after JSON into rows a person can read: one row per field, with
// what it was and what it became. Entries written by Twiza hold flat objects; anything else
// (arrays, plain values) is shown as one row.

export type FieldChangeKind = 'added' | 'removed' | 'changed' | 'unchanged';
export type FieldChange = { field: string; before: string | null; after: string | null; kind: FieldChangeKind };

function parse(json: string | null): unknown {
  if (json === null) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a value reads in the table: text as typed, anything else as JSON; absent or empty is null. */
function display(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function kindOf(before: unknown, after: unknown): FieldChangeKind {
  if (before === undefined) return 'added';
  if (after === undefined) return 'removed';
  return JSON.stringify(before) === JSON.stringify(after) ? 'unchanged' : 'changed';
}

export function diffAuditValues(beforeJson: string | null, afterJson: string | null): FieldChange[] {
  const before = parse(beforeJson);
  const after = parse(afterJson);
  if ((before === undefined || isPlainObject(before)) && (after === undefined || isPlainObject(after))) {
    const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
    return fields.map((field) => {
      const old = (before as Record<string, unknown> | undefined)?.[field];
      const updated = (after as Record<string, unknown> | undefined)?.[field];
      return { field, before: display(old), after: display(updated), kind: kindOf(old, updated) };
    });
  }
  return [{ field: '', before: display(before), after: display(after), kind: kindOf(before, after) }];
}
