/**
 * Small DOM helpers: an element builder (text is always set as text, never parsed as HTML), error
 * messages placed beside the control that caused them, tabs, pagers and dialogs that work with the
 * keyboard.
 */
import { ApiError } from "./api.js";

type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined | ((ev: Event) => void);

/** `h("button", { type: "button", onclick: f }, "Save")`. `on*` values are listeners; `true` sets an empty attribute. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, AttrValue> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.replace(/^on/, ""), value);
    else if (name === "value" && (el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement)) el.value = String(value);
    else if (name === "checked" && el instanceof HTMLInputElement) el.checked = value === true;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

let seq = 0;
/** A unique element id. */
export const uid = (prefix: string): string => `${prefix}-${++seq}`;

/** A message area bound to a control (aria-describedby); shows API errors beside it. */
export class ErrorSlot {
  readonly el: HTMLElement;
  constructor(control?: HTMLElement) {
    this.el = h("p", { class: "error", id: uid("err"), role: "alert", hidden: true });
    if (control) control.setAttribute("aria-describedby", [control.getAttribute("aria-describedby"), this.el.id].filter(Boolean).join(" "));
  }
  show(e: unknown): void {
    this.el.textContent = e instanceof ApiError ? e.message : e instanceof Error ? e.message : String(e);
    if (e instanceof ApiError && e.code !== null) this.el.dataset.code = String(e.code);
    this.el.hidden = false;
  }
  clear(): void {
    this.el.textContent = "";
    delete this.el.dataset.code;
    this.el.hidden = true;
  }
}

/** A polite status message (results of actions that succeeded). */
export function statusLine(): { el: HTMLElement; say(text: string): void; clear(): void } {
  const el = h("p", { class: "status", role: "status", "aria-live": "polite" });
  return {
    el,
    say(text) {
      el.textContent = text;
    },
    clear() {
      el.textContent = "";
    },
  };
}

const busy = new WeakSet<HTMLElement>();

/**
 * Runs an action for a control: the control is marked busy meanwhile (further presses are
 * ignored; it is not disabled, so the keyboard focus stays on it), the slot beside it is cleared
 * first and shows the API's message if the action fails. Answers whether it succeeded.
 */
export async function run(control: HTMLElement | null, slot: ErrorSlot, action: () => Promise<void>): Promise<boolean> {
  if (control && busy.has(control)) return false;
  slot.clear();
  if (control) {
    busy.add(control);
    control.setAttribute("aria-busy", "true");
  }
  try {
    await action();
    return true;
  } catch (e) {
    slot.show(e);
    return false;
  } finally {
    if (control) {
      busy.delete(control);
      control.removeAttribute("aria-busy");
    }
  }
}

/** A button with an error slot right after it; `action` runs through run(). */
export function actionButton(label: string, action: (button: HTMLButtonElement, slot: ErrorSlot) => Promise<void>, attrs: Record<string, AttrValue> = {}): { button: HTMLButtonElement; slot: ErrorSlot; wrap: HTMLElement } {
  const button = h("button", { type: "button", ...attrs }, label);
  const slot = new ErrorSlot(button);
  button.addEventListener("click", () => void run(button, slot, () => action(button, slot)));
  return { button, slot, wrap: h("span", { class: "action" }, button, slot.el) };
}

/** A labelled form field. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  control.id ||= uid("f");
  const hintEl = hint ? h("span", { class: "hint", id: uid("hint") }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", [hintEl.id, control.getAttribute("aria-describedby")].filter(Boolean).join(" "));
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintEl);
}

/** A checkbox with its label after it. */
export function checkbox(label: string, attrs: Record<string, AttrValue> = {}, hint?: string): { input: HTMLInputElement; el: HTMLElement } {
  const input = h("input", { type: "checkbox", id: uid("cb"), ...attrs });
  const hintEl = hint ? h("span", { class: "hint" }, hint) : null;
  return { input, el: h("div", { class: "check" }, input, h("label", { for: input.id }, label, hintEl ? " " : null, hintEl)) };
}

/**
 * ARIA tabs: buttons in a tablist, one panel. Arrow keys, Home and End move between tabs;
 * the selected tab is the only one in the Tab order.
 */
export function tabs<K extends string>(label: string, items: { key: K; label: string }[], selected: K, onSelect: (key: K) => void): { list: HTMLElement; panel: HTMLElement } {
  const panel = h("div", { role: "tabpanel", id: uid("panel"), class: "tabpanel", tabindex: "-1" });
  const buttons = items.map((it) =>
    h("button", {
      type: "button", role: "tab", id: uid("tab"), "data-key": it.key, "aria-controls": panel.id,
      "aria-selected": it.key === selected ? "true" : "false", tabindex: it.key === selected ? "0" : "-1",
      onclick: () => onSelect(it.key),
    }, it.label));
  const list = h("div", { role: "tablist", "aria-label": label, class: "tabs" }, ...buttons);
  const current = buttons.find((b) => b.getAttribute("aria-selected") === "true");
  if (current) panel.setAttribute("aria-labelledby", current.id);
  list.addEventListener("keydown", (ev) => {
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    let j = -1;
    if (ev.key === "ArrowRight") j = (i + 1) % buttons.length;
    else if (ev.key === "ArrowLeft") j = (i - 1 + buttons.length) % buttons.length;
    else if (ev.key === "Home") j = 0;
    else if (ev.key === "End") j = buttons.length - 1;
    if (j < 0) return;
    ev.preventDefault();
    buttons[j]!.focus();
    buttons[j]!.click();
  });
  return { list, panel };
}

/**
 * Previous/next paging over opaque page tokens. `load(token)` fetches a page and answers the next
 * token (null at the end); previous pages are remembered as a stack of the tokens that led to them.
 */
export class Pager {
  readonly el: HTMLElement;
  private readonly prev: HTMLButtonElement;
  private readonly next: HTMLButtonElement;
  private readonly label: HTMLElement;
  private readonly slot: ErrorSlot;
  private stack: (string | undefined)[] = [];
  private current: string | undefined = undefined;
  private nextToken: string | null = null;

  constructor(name: string, private readonly load: (token: string | undefined) => Promise<{ next: string | null; count: number }>) {
    this.prev = h("button", { type: "button", class: "secondary", disabled: true }, "Previous");
    this.next = h("button", { type: "button", class: "secondary", disabled: true }, "Next");
    this.label = h("span", { class: "page-label", "aria-live": "polite" });
    this.slot = new ErrorSlot(this.next);
    this.el = h("nav", { class: "pager", "aria-label": `${name} pages` }, this.prev, this.label, this.next, this.slot.el);
    this.prev.addEventListener("click", () => void this.go(this.stack[this.stack.length - 1], "back", this.prev));
    this.next.addEventListener("click", () => void this.go(this.nextToken ?? undefined, "forward", this.next));
  }

  /** Loads the first page again (after a change or a new filter). */
  reset(): Promise<boolean> {
    this.stack = [];
    this.current = undefined;
    return this.go(undefined, "stay", null);
  }

  /** Loads the current page again. */
  reload(): Promise<boolean> {
    return this.go(this.current, "stay", null);
  }

  private async go(token: string | undefined, direction: "back" | "forward" | "stay", control: HTMLButtonElement | null): Promise<boolean> {
    return run(control, this.slot, async () => {
      const out = await this.load(token);
      if (direction === "forward") this.stack.push(this.current);
      else if (direction === "back") this.stack.pop();
      this.current = token;
      this.nextToken = out.next;
      this.prev.disabled = this.stack.length === 0;
      this.next.disabled = out.next === null;
      this.label.textContent = `Page ${this.stack.length + 1}${out.count === 0 ? " (empty)" : ""}`;
      // The pressed button may now be disabled (first or last page): keep the focus on the other one.
      if (control?.disabled) (control === this.next ? this.prev : this.next).focus();
    });
  }
}

/**
 * A modal panel (<dialog>): Escape or Cancel closes it, focus returns to what opened it.
 * `build(close)` fills it; answers the dialog.
 */
export function openPanel(title: string, build: (body: HTMLElement, close: () => void) => void, opts: { wide?: boolean } = {}): HTMLDialogElement {
  const opener = document.activeElement as HTMLElement | null;
  const titleId = uid("dlg-title");
  const body = h("div", { class: "dialog-body" });
  const close = () => dialog.close();
  const dialog = h("dialog", { "aria-labelledby": titleId, class: opts.wide ? "wide" : undefined },
    h("header", {}, h("h2", { id: titleId }, title), h("button", { type: "button", class: "icon", "aria-label": "Close", onclick: close }, "×")),
    body);
  build(body, close);
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener && opener.isConnected) opener.focus();
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  const first = body.querySelector<HTMLElement>("input:not([disabled]), select, textarea, button:not([disabled])");
  first?.focus();
  return dialog;
}

/** A date as the reader's locale shows it (ISO kept in the title). */
export function when(iso: string | null): HTMLElement | string {
  if (!iso) return "—";
  const d = new Date(iso);
  return h("time", { datetime: iso, title: iso }, d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }));
}

/** A table with a caption (for screen readers) and a header row. */
export function table(caption: string, headers: string[], rows: HTMLTableRowElement[], empty: string): HTMLElement {
  const body = h("tbody", {}, ...rows);
  if (rows.length === 0) body.appendChild(h("tr", {}, h("td", { colspan: String(headers.length), class: "empty" }, empty)));
  return h("div", { class: "table-wrap" },
    h("table", {}, h("caption", { class: "visually-hidden" }, caption), h("thead", {}, h("tr", {}, ...headers.map((x) => h("th", { scope: "col" }, x)))), body));
}

export function badge(text: string, kind: string): HTMLElement {
  return h("span", { class: `badge ${kind}` }, text);
}
