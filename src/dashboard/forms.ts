// Control forms: each submits one admin API call and shows the API's error in its words.
import { errorText, h } from './elements.ts';

/**
 * The last answer shown under each form, by view and legend: a live redraw of the view (another
 * change arriving) rebuilds its forms, and must not wipe an error the user has not read yet.
 */
const shownAnswers = new Map<string, { readonly className: string; readonly text: string }>();

/**
 * A fieldset with a submit button; `act` makes the call, then `done` runs (usually a re-render).
 * An error shows under the form, as the admin API worded it; a string `act` returns shows there too.
 */
export function controlForm(
  legend: string,
  fields: HTMLElement[],
  submit: string,
  act: (form: HTMLFormElement) => Promise<void | 'cancelled' | { note: string }>,
  done: () => void,
): HTMLFormElement {
  const message = h('p', { role: 'status' });
  const key = `${location.hash}\n${legend}`;
  const shown = shownAnswers.get(key);
  if (shown !== undefined) {
    message.className = shown.className;
    message.textContent = shown.text;
  }
  const show = (className: string, text: string): void => {
    message.className = className;
    message.textContent = text;
    shownAnswers.set(key, { className, text });
  };
  const form = h(
    'form',
    { class: 'control' },
    h('fieldset', {}, h('legend', {}, legend), ...fields, h('button', { type: 'submit' }, submit)),
    message,
  ) as HTMLFormElement;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    message.textContent = '';
    message.className = '';
    shownAnswers.delete(key);
    act(form).then(
      (outcome) => {
        if (typeof outcome === 'object') show('', outcome.note);
        if (outcome !== 'cancelled') done();
      },
      (error: unknown) => show('error', errorText(error)),
    );
  });
  return form;
}

export function field(form: HTMLFormElement, name: string): string {
  return (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;
}

export function checked(form: HTMLFormElement, name: string): boolean {
  return (form.elements.namedItem(name) as HTMLInputElement).checked;
}

export function options(name: string, values: readonly string[], empty?: string): HTMLElement {
  return h(
    'select',
    { name },
    empty === undefined ? null : h('option', { value: '' }, empty),
    ...values.map((v) => h('option', { value: v }, v)),
  );
}

export function labelled(text: string, control: HTMLElement): HTMLElement {
  return h('label', {}, text, control);
}

export function input(name: string, attrs: Record<string, string | boolean> = {}): HTMLElement {
  return h('input', { name, type: 'text', ...attrs });
}
