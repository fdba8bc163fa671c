/** The submit form: editor with counter and examples, voice picker, audio settings, job fields. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type IceClient, IceError } from '../api/ice-client.js';
import type { ListSmartVoiceGroupsResponse, SubmitResponse } from '../api/ice-types.js';
import { countChars, MAX_INPUT_CHARS } from '../models/char-count.js';
import { type FormField, fieldOfError } from '../models/field-errors.js';
import { defaultFormValues, FORMATS, SAMPLE_RATES, SUBTITLE_FORMATS, type SubmitFormValues, toSubmitParams } from '../models/submit-form.js';
import { groupVoices, type VoiceGroupOption } from '../models/voices.js';
import { SSML_EXAMPLES } from '../i18n/ssml-examples.js';
import type { MessageKey } from '../i18n/messages.js';
import { useI18n } from './i18n-context.js';
import { errorText } from './error-text.js';

const GENDER_KEYS: Record<string, MessageKey> = { Female: 'genderFemale', Male: 'genderMale', Girl: 'genderGirl', Boy: 'genderBoy' };
const LANGUAGE_KEYS: Record<string, MessageKey> = { zh: 'langZh', en: 'langEn', other: 'langOther' };

/** A labelled field with its server error right below it, tied to the input by aria-describedby. */
function Field({ name, label, error, children, hint }: { name: FormField; label: string; error?: string; hint?: ComponentChildren; children: ComponentChildren }) {
  return (
    <div class={`field${error ? ' has-error' : ''}`} data-field={name}>
      <label for={`field-${name}`}>{label}</label>
      {children}
      {hint}
      {error && (
        <p class="error" id={`error-${name}`} role="alert" data-testid="field-error" data-field={name}>
          {error}
        </p>
      )}
    </div>
  );
}

export function SubmitPanel({ client, onSubmitted }: { client: IceClient; onSubmitted: (jobId: string) => void }) {
  const { t, locale } = useI18n();
  const [values, setValues] = useState<SubmitFormValues>(() => defaultFormValues());
  const [groups, setGroups] = useState<VoiceGroupOption[]>([]);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FormField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submittedId, setSubmittedId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A ref as well as the state: a second Enter can arrive before the re-render that marks the button busy.
  const busyRef = useRef(false);
  const [voicesFailed, setVoicesFailed] = useState(false);

  useEffect(() => {
    setVoicesFailed(false);
    client
      .call<ListSmartVoiceGroupsResponse>('ListSmartVoiceGroups')
      .then((response) => setGroups(groupVoices(response)))
      // Without the list (a key without ice:ListSmartVoiceGroups, a server hiccup) a voice can still be typed.
      .catch(() => setVoicesFailed(true));
  }, [client]);

  const set = <K extends keyof SubmitFormValues>(key: K, value: SubmitFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    setFieldErrors((current) => ({ ...current, [key]: undefined }));
  };
  const describedBy = (name: FormField) => (fieldErrors[name] ? `error-${name}` : undefined);
  const count = countChars(values.text);
  const over = count > MAX_INPUT_CHARS;

  /**
   * An example replaces the text the way typing would (select all, insert), so Ctrl+Z brings the
   * user's own text back; the input event it fires updates the form.
   */
  function insertExample(text: string) {
    const box = document.getElementById('field-text') as HTMLTextAreaElement | null;
    if (box) {
      box.focus();
      box.select();
      if (document.execCommand('insertText', false, text)) return;
    }
    set('text', text);
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    setFieldErrors({});
    setFormError(null);
    setSubmittedId(null);
    try {
      const response = await client.call<SubmitResponse>('SubmitAudioProduceJob', toSubmitParams(values), { method: 'POST' });
      setSubmittedId(response.JobId);
      // A fresh object key, so the next submit does not overwrite this one's audio.
      setValues((current) => ({ ...current, object: defaultFormValues().object }));
      onSubmitted(response.JobId);
    } catch (error) {
      const field = error instanceof IceError ? fieldOfError(error) : null;
      if (field && error instanceof IceError) {
        setFieldErrors({ [field]: error.message });
        // Reveal the field (it may sit in the closed "more" section) and put the caret there.
        requestAnimationFrame(() => {
          const input = document.getElementById(`field-${field}`);
          input?.closest('details')?.setAttribute('open', '');
          input?.focus();
        });
      } else {
        setFormError(errorText(error, t));
      }
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
  }

  const input = (name: FormField & keyof SubmitFormValues, extra: Record<string, unknown> = {}) => (
    <input
      id={`field-${name}`}
      value={values[name] as string}
      aria-invalid={fieldErrors[name] ? 'true' : undefined}
      aria-describedby={describedBy(name)}
      onInput={(event) => set(name, event.currentTarget.value as never)}
      {...extra}
    />
  );

  return (
    <section class="card submit" aria-labelledby="submit-title">
      <h2 id="submit-title">{t('submitTitle')}</h2>
      <form onSubmit={submit} noValidate>
        <Field
          name="text"
          label={t('text')}
          error={fieldErrors.text}
          hint={
            <>
              <p class={`counter${over ? ' over' : ''}`} data-testid="char-count" title={t('charCountHint')}>
                {t('charCount', { count: count.toLocaleString(), limit: MAX_INPUT_CHARS.toLocaleString() })}
              </p>
              {/* Announced only when it matters, not on every keystroke. */}
              <p class="visually-hidden" aria-live="polite">
                {over ? t('charCountOver', { count: count.toLocaleString(), limit: MAX_INPUT_CHARS.toLocaleString() }) : ''}
              </p>
            </>
          }
        >
          <textarea
            id="field-text"
            data-testid="text-input"
            rows={7}
            value={values.text}
            aria-invalid={fieldErrors.text ? 'true' : undefined}
            aria-describedby={describedBy('text')}
            placeholder="<speak>你好，世界。</speak>"
            onInput={(event) => set('text', event.currentTarget.value)}
          />
        </Field>
        <div class="examples" role="group" aria-label={t('examples')}>
          <span class="muted">{t('examples')}:</span>
          {SSML_EXAMPLES.map((example) => (
            <button type="button" class="chip" key={example.label.en} onClick={() => insertExample(example.text)}>
              {example.label[locale]}
            </button>
          ))}
        </div>

        <Field name="voice" label={t('voice')} error={fieldErrors.voice}>
          {voicesFailed ? (
            <>
              <input id="field-voice" data-testid="voice-input" value={values.voice} aria-describedby={describedBy('voice') ?? 'voices-unavailable'} onInput={(event) => set('voice', event.currentTarget.value)} />
              <p class="muted small" id="voices-unavailable" data-testid="voices-unavailable">
                {t('voicesUnavailable')}
              </p>
            </>
          ) : (
          <select id="field-voice" data-testid="voice-select" value={values.voice} aria-describedby={describedBy('voice')} onChange={(event) => set('voice', event.currentTarget.value)}>
            {groups.length === 0 && <option value={values.voice}>{values.voice}</option>}
            {groups.map((group) => (
              <optgroup key={`${group.language}/${group.gender}`} label={`${t(LANGUAGE_KEYS[group.language]!)} · ${t(GENDER_KEYS[group.gender]!)}`}>
                {group.voices.map((voice) => (
                  <option key={voice.voice} value={voice.voice}>
                    {voice.label}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          )}
        </Field>

        <div class="grid">
          <Field name="format" label={t('format')} error={fieldErrors.format}>
            <select id="field-format" value={values.format} onChange={(event) => set('format', event.currentTarget.value as SubmitFormValues['format'])}>
              {FORMATS.map((format) => (
                <option key={format}>{format}</option>
              ))}
            </select>
          </Field>
          <Field name="sampleRate" label={t('sampleRate')} error={fieldErrors.sampleRate}>
            <select id="field-sampleRate" value={String(values.sampleRate)} onChange={(event) => set('sampleRate', Number(event.currentTarget.value))}>
              {SAMPLE_RATES.map((rate) => (
                <option key={rate} value={String(rate)}>
                  {rate} Hz
                </option>
              ))}
            </select>
          </Field>
          <Field name="volume" label={t('volume')} error={fieldErrors.volume}>
            {input('volume', { type: 'number', min: 0, max: 100, step: 1, inputMode: 'numeric', 'data-testid': 'volume-input' })}
          </Field>
          <Field name="speechRate" label={t('speechRate')} error={fieldErrors.speechRate}>
            {input('speechRate', { type: 'number', min: -500, max: 500, step: 10, inputMode: 'numeric' })}
          </Field>
          <Field name="pitchRate" label={t('pitchRate')} error={fieldErrors.pitchRate}>
            {input('pitchRate', { type: 'number', min: -500, max: 500, step: 10, inputMode: 'numeric' })}
          </Field>
          {/* A group of checkboxes: a fieldset's legend names them all (a <label> can name only one control). */}
          <fieldset class={`field checks-field${fieldErrors.subtitles ? ' has-error' : ''}`} data-field="subtitles" aria-describedby={describedBy('subtitles')}>
            <legend>{t('subtitles')}</legend>
            <div class="checks" id="field-subtitles" tabIndex={-1}>
              {SUBTITLE_FORMATS.map((format) => (
                <label key={format} class="check">
                  <input
                    type="checkbox"
                    data-testid="subtitle-check"
                    value={format}
                    checked={values.subtitles.includes(format)}
                    onChange={(event) => set('subtitles', event.currentTarget.checked ? [...values.subtitles, format] : values.subtitles.filter((item) => item !== format))}
                  />
                  {format}
                </label>
              ))}
            </div>
            {fieldErrors.subtitles && (
              <p class="error" id="error-subtitles" role="alert" data-testid="field-error" data-field="subtitles">
                {fieldErrors.subtitles}
              </p>
            )}
          </fieldset>
        </div>

        <details class="more">
          <summary>{t('more')}</summary>
          <Field name="title" label={t('title')} error={fieldErrors.title}>
            {input('title', { 'data-testid': 'title-input' })}
          </Field>
          <Field name="description" label={t('description')} error={fieldErrors.description}>
            {input('description')}
          </Field>
          <Field name="notifyAddress" label={t('notifyAddress')} error={fieldErrors.notifyAddress}>
            {input('notifyAddress', { placeholder: 'https://example.com/narrate-callback', 'data-testid': 'notify-address-input' })}
          </Field>
          <div class="grid">
            <Field name="bucket" label={t('bucket')} error={fieldErrors.bucket}>
              {input('bucket')}
            </Field>
            <Field name="object" label={t('object')} error={fieldErrors.object}>
              {input('object')}
            </Field>
          </div>
          <Field name="overwrite" label="" error={fieldErrors.overwrite}>
            <label class="check">
              <input id="field-overwrite" type="checkbox" checked={values.overwrite} onChange={(event) => set('overwrite', event.currentTarget.checked)} /> {t('overwrite')}
            </label>
          </Field>
        </details>

        {formError && (
          <p class="error" role="alert" data-testid="form-error">
            {formError}
          </p>
        )}
        {submittedId && (
          <p class="notice" role="status">
            {t('submitted', { id: submittedId })}
          </p>
        )}
        <div class="actions">
          {/* aria-disabled, not disabled: a disabled button would drop the keyboard focus to <body>. */}
          <button type="submit" class="primary" data-testid="submit" aria-disabled={busy ? 'true' : undefined}>
            {busy ? t('submitting') : t('submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
