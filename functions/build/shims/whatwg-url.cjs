// Stand-in for the whatwg-url package in the allocator bundle: node-fetch reads `whatwgUrl.URL` only when Node's
// url module has no URL class (never, since Node 10). See functions/build/node-fetch-url-shim.ts.
exports.URL = require("node:url").URL;
