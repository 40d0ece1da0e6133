import type { Plugin } from "esbuild";
import { join } from "node:path";

/**
 * node-fetch 2 (used by @kubernetes/client-node and oci-common) requires `whatwg-url` only as a fallback for runtimes
 * without a URL class: `const URL = Url.URL || whatwgUrl.URL;` (node-fetch/lib/index.js, both places it is read).
 * Node has had `url.URL` since version 10, so on the function's Node 22 the fallback is never read; bundled, it is
 * 290 KB (tr46's Unicode mapping table, 260 KB, is most of it) and is evaluated at every cold start. This plugin
 * resolves `whatwg-url`, when node-fetch asks for it, to shims/whatwg-url.cjs, which exports Node's own URL (a file
 * of the repository, so the image build, which copies functions/, has it).
 */
export function nodeFetchUrlShimPlugin(): Plugin {
  return {
    name: "node-fetch-url-shim",
    setup(build) {
      const shim = join(__dirname, "shims", "whatwg-url.cjs");
      build.onResolve({ filter: /^whatwg-url$/ }, (args) =>
        /[\\/]node_modules[\\/]node-fetch[\\/]/.test(args.importer) ? { path: shim } : undefined,
      );
    },
  };
}
