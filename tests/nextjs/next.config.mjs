// Nothing softphone-specific: the package must work with Next's defaults (webpack 5 bundles
// the wasm-bindgen glue's `new URL('softphone_core_bg.wasm', import.meta.url)` as an asset).
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The e2e test runs `next dev` beside a production build; each gets its own folder.
  distDir: process.env.NEXT_DIST_DIR || '.next',
};
export default nextConfig;
