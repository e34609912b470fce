// @ts-check
// The event log: a bounded list of lines with a level, filtered by text and by level as the
// person types. Lines are text only (textContent): nothing from the network becomes markup.

const MAX_LINES = 1000;
/** @type {Partial<Record<string, number>>} */
const RANK = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };
const TRACE = 4;
const INFO = 2;

/**
 * @param {{list: HTMLOListElement, text: HTMLInputElement, level: HTMLSelectElement, count: HTMLElement}} els
 * @returns {{add: (text: string, level?: string) => void, clear: () => void}}
 */
export function makeLog({ list, text, level, count }) {
  /** @param {HTMLElement} li */
  const visible = (li) => {
    const needle = text.value.trim().toLowerCase();
    const max = RANK[level.value] ?? TRACE;
    return (RANK[li.dataset.level ?? ''] ?? INFO) <= max && (!needle || (li.textContent ?? '').toLowerCase().includes(needle));
  };
  const lines = () => [...list.children].filter((li) => li instanceof HTMLElement);
  const showCount = () => {
    const shown = lines().filter((li) => !li.hidden).length;
    count.textContent = shown === list.children.length ? `${shown} lines` : `${shown} of ${list.children.length} lines`;
  };
  const refilter = () => {
    for (const li of lines()) li.hidden = !visible(li);
    showCount();
  };
  text.addEventListener('input', refilter);
  level.addEventListener('change', refilter);
  return {
    add(line, lvl = 'info') {
      const li = document.createElement('li');
      li.className = lvl;
      li.dataset.level = lvl;
      li.textContent = `${new Date().toLocaleTimeString()} ${line}`;
      li.hidden = !visible(li);
      const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
      list.append(li);
      while (list.children.length > MAX_LINES) list.firstElementChild?.remove();
      if (atBottom) list.scrollTop = list.scrollHeight;
      showCount();
    },
    clear() {
      list.replaceChildren();
      showCount();
    },
  };
}
