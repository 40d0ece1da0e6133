import { OciServiceError } from "../http/errors";
import { computeRoutes } from "./compute-routes";
import { networkRoutes } from "./network-routes";
import { secretRoutes, streamingRoutes, workRequestRoutes } from "./other-routes";
import type { Route } from "./route";
import { updateRoutes } from "./update-routes";

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const pattern = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { route, regex: new RegExp(`^/${route.version}${pattern}/?$`), names };
}

export const ALL_ROUTES: Route[] = [
  ...computeRoutes,
  ...networkRoutes,
  ...updateRoutes,
  ...workRequestRoutes,
  ...streamingRoutes,
  ...secretRoutes,
];

/** Finds the route for a method and path (without query). Throws 404 NotFound / 405 MethodNotAllowed as OCI does. */
export class Router {
  private readonly compiled = ALL_ROUTES.map(compile);

  match(method: string, pathname: string): { route: Route; params: Record<string, string> } {
    let pathMatched = false;
    for (const c of this.compiled) {
      const m = c.regex.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (c.route.method !== method) continue;
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]);
      });
      return { route: c.route, params };
    }
    // "404 NotFound: There is no operation supported at the URI path and HTTP method you specified";
    // "405 MethodNotAllowed: The target resource does not support the HTTP method" (apierrors.htm).
    if (pathMatched) throw new OciServiceError(405, "MethodNotAllowed", `${method} is not supported on ${pathname}`);
    throw new OciServiceError(404, "NotFound", `There is no operation supported at ${method} ${pathname}`);
  }
}
