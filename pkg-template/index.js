// softphone-core: the package entry.
//
// Importing this module does nothing: no `window`, WebSocket or RTCPeerConnection is touched
// and the WebAssembly is not fetched, so it is safe to import during server-side rendering.
// The wasm-bindgen glue (softphone_core.js) and the module (softphone_core_bg.wasm) are
// loaded on the first initAsync() or createSoftphone() call, once.

/** The sessionStorage key under which this tab's generated instanceId is kept. */
export const INSTANCE_ID_STORAGE_KEY = 'softphone-core:instance-id';

/** @type {Promise<typeof import('./softphone_core.js')> | undefined} */
let loading;

function load(input) {
  if (!loading) {
    loading = import('./softphone_core.js').then(async (glue) => {
      await glue.default(input === undefined ? undefined : { module_or_path: input });
      return glue;
    });
    // A failed load (offline, wrong path) may be retried by the next call.
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

/**
 * Loads and instantiates the WebAssembly module. Optional: createSoftphone() calls it.
 * Pass the module's URL (or bytes, a Response, a compiled WebAssembly.Module) when a
 * bundler serves `softphone_core_bg.wasm` from somewhere else; by default it is fetched
 * from beside this file. Only the first call's argument counts.
 * @param {import('./softphone_core.js').InitInput | Promise<import('./softphone_core.js').InitInput>} [input]
 * @returns {Promise<void>}
 */
export async function initAsync(input) {
  await load(input);
}

/**
 * Loads the module if needed and makes a Softphone. Browser only.
 * @param {import('./softphone_core.js').SoftphoneConfig} config
 * @returns {Promise<import('./softphone_core.js').Softphone>}
 * @throws {Error} a SoftphoneConfigError naming the bad field (its `field` property)
 */
export async function createSoftphone(config) {
  const glue = await load();
  return new glue.Softphone(config);
}

/**
 * Loads the module if needed and checks a configuration's servers without a phone.
 * Browser only.
 * @param {import('./diagnose.js').SoftphoneDiagnoseConfig} config
 * @returns {Promise<import('./diagnose.js').SoftphoneDiagnosis>}
 */
export async function diagnose(config) {
  const glue = await load();
  return glue.diagnose(config);
}
