// Small building blocks shared by the views: labelled fields, inline errors, loading and actions.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useId, useState } from 'preact/hooks';
import { message } from './api.ts';

export function Field(p: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  type?: 'text' | 'password';
  autoComplete?: string;
  required?: boolean;
  minLength?: number;
}) {
  const id = useId();
  const input = {
    id,
    value: p.value,
    autoComplete: p.autoComplete ?? 'off',
    required: p.required ?? true,
    minLength: p.minLength,
    onInput: (e: { currentTarget: HTMLInputElement }) => p.onInput(e.currentTarget.value),
  };
  return (
    <label class="field" for={id}>
      <span>{p.label}</span>
      {p.type === 'password' ? <input type="password" {...input} /> : <input type="text" {...input} />}
    </label>
  );
}

export function ErrorText(p: { error: string | null }) {
  return p.error ? (
    <p class="error" role="alert">
      {p.error}
    </p>
  ) : null;
}

export function Notice(p: { text: string | null }) {
  return p.text ? (
    <p class="notice" role="status">
      {p.text}
    </p>
  ) : null;
}

export function Section(p: { title: string; children: ComponentChildren }) {
  return (
    <section aria-label={p.title}>
      <h3>{p.title}</h3>
      {p.children}
    </section>
  );
}

export interface Column<T> {
  label: string;
  cell(row: T): ComponentChildren;
}

// A table that becomes a list of cards on a phone (style.css): each cell carries its column's
// label for that layout.
export function Table<T>(p: { caption?: string; columns: Column<T>[]; rows: T[]; rowKey(row: T): string | number }) {
  return (
    <table class="cards">
      {p.caption && <caption>{p.caption}</caption>}
      <thead>
        <tr>
          {p.columns.map((c) => (
            <th key={c.label}>{c.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {p.rows.map((r) => (
          <tr key={p.rowKey(r)}>
            {p.columns.map((c) => (
              <td key={c.label} data-label={c.label}>
                {c.cell(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Data loaded when the view opens, again on reload().
export function useLoad<T>(load: () => Promise<T>): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => {
        if (live) {
          setData(d);
          setError(null);
        }
      },
      (e: unknown) => live && setError(message(e)),
    );
    return () => {
      live = false;
    };
  }, [round]);
  return { data, error, reload: useCallback(() => setRound((r) => r + 1), []) };
}

// An action started by a button or form: busy while it runs, its failure shown inline.
export function useAction(): { run: (fn: () => Promise<unknown>) => Promise<boolean>; busy: boolean; error: string | null } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(message(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error };
}

// A button that asks once more before a destructive action.
export function ConfirmButton(p: { label: string; confirm: string; onConfirm: () => void; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class="danger" disabled={p.disabled} onClick={() => setAsking(true)}>
        {p.label}
      </button>
    );
  }
  return (
    <span class="confirm">
      <button
        type="button"
        class="danger"
        disabled={p.disabled}
        onClick={() => {
          setAsking(false);
          p.onConfirm();
        }}
      >
        {p.confirm}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

export function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toLocaleString();
}
