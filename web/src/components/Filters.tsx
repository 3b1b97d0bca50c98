import { useState, type FormEvent, type ReactNode } from 'react';
import { ADMINISTRATIONS } from '../api/types.ts';
import { useReference } from '../app/reference.tsx';
import { useI18n } from '../i18n/index.tsx';

export type FilterValues = Record<string, string>;

/** A filter form whose values apply on submit (Enter or the button), not on each keystroke. */
export function FilterBar({ initial, onApply, children, testId }: { initial: FilterValues; onApply: (v: FilterValues) => void; children: (v: FilterValues, set: (k: string, value: string) => void) => ReactNode; testId?: string }) {
  const { t } = useI18n();
  const [v, setV] = useState<FilterValues>(initial);
  const set = (k: string, value: string) => setV((s) => ({ ...s, [k]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(v);
  };
  const clear = () => {
    const empty = Object.fromEntries(Object.keys(v).map((k) => [k, ''])) as FilterValues;
    setV(empty);
    onApply(empty);
  };
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label={t('filter.title')} data-testid={testId}>
      {children(v, set)}
      <div className="filter-actions">
        <button type="submit" className="btn btn-primary">
          {t('filter.apply')}
        </button>
        <button type="button" className="btn" onClick={clear}>
          {t('filter.clear')}
        </button>
      </div>
    </form>
  );
}

export function SelectField({ id, label, value, onChange, options, allLabel }: { id: string; label: string; value: string; onChange: (v: string) => void; options: { value: string; label: string }[]; allLabel?: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {allLabel !== undefined && <option value="">{allLabel}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function TextField({ id, label, value, onChange, type = 'text', hint, placeholder }: { id: string; label: string; value: string; onChange: (v: string) => void; type?: string; hint?: string; placeholder?: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type={type} value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} aria-describedby={hint ? `${id}-hint` : undefined} spellCheck={false} />
      {hint && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
    </div>
  );
}

export function OfficeSelect({ country, value, onChange, id = 'f-office' }: { country: string; value: string; onChange: (v: string) => void; id?: string }) {
  const { t } = useI18n();
  const { offices } = useReference();
  const options = offices
    .filter((o) => o.country === country)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((o) => ({ value: o.code, label: `${o.name} (${o.code})` }));
  return <SelectField id={id} label={t('filter.office')} value={value} onChange={onChange} options={options} allLabel={t('filter.allOffices')} />;
}

export function CountrySelect({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { t, tk } = useI18n();
  return <SelectField id="f-country" label={t('filter.country')} value={value} onChange={onChange} options={ADMINISTRATIONS.map((c) => ({ value: c, label: `${tk('country', c)} (${c})` }))} />;
}
