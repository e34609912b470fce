// Nothing softphone-specific: the package must work with Next's defaults (webpack 5 bundles
// the wasm-bindgen glue's `new URL('softphone_core_bg.wasm', import.meta.url)` as an asset).
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
};
export default nextConfig;
