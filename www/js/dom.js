// @ts-check
// The page's elements by id, checked to be what the code takes them for: index.html has
// every element the demo names, so a missing or different one is a bug, thrown at once
// with its id rather than met later as `null`.

/**
 * The element with `id`, which must be a `kind` (`HTMLInputElement`, ...).
 * @template {Element} T
 * @param {string} id
 * @param {{ new (): T; prototype: T }} kind
 * @returns {T}
 */
export function byId(id, kind) {
  const el = document.getElementById(id);
  if (!(el instanceof kind)) throw new Error(`#${id} is missing or not a ${kind.name}`);
  return el;
}

/**
 * The first descendant of `root` matching `selector`, which must be a `kind`.
 * @template {Element} T
 * @param {ParentNode} root
 * @param {string} selector
 * @param {{ new (): T; prototype: T }} kind
 * @returns {T}
 */
export function find(root, selector, kind) {
  const el = root.querySelector(selector);
  if (!(el instanceof kind)) throw new Error(`${selector} is missing or not a ${kind.name}`);
  return el;
}

/** @param {string} id the id of an element of any kind */
export const $ = (id) => byId(id, HTMLElement);
/** @param {string} id */
export const input = (id) => byId(id, HTMLInputElement);
/** @param {string} id */
export const button = (id) => byId(id, HTMLButtonElement);
/** @param {string} id */
export const select = (id) => byId(id, HTMLSelectElement);

/**
 * The `name` and `message` of something thrown, whatever it is (an `Error`, a
 * `SoftphoneError`, or a value that is neither).
 * @param {unknown} e
 * @returns {{ name: string, message: string, code?: string }}
 */
export function errorOf(e) {
  if (e instanceof Error) {
    const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined;
    return code === undefined ? { name: e.name, message: e.message } : { name: e.name, message: e.message, code };
  }
  return { name: 'Error', message: String(e) };
}
