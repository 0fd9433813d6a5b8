/** The element with `id`, or an error naming the id the page expected. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

/** A new element with a class and text. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Milliseconds since the page loaded, as `+12.345s`. */
export function stamp(now = performance.now()): string {
  return `+${(now / 1000).toFixed(3)}s`;
}

/** Appends `item` to a list, keeps at most `max` items and scrolls to the newest. */
export function appendCapped(list: HTMLElement, item: HTMLElement, max: number): void {
  list.append(item);
  while (list.children.length > max) list.firstElementChild?.remove();
  list.scrollTop = list.scrollHeight;
}
