/**
 * The route table, keyed by rest-api-spec API names (`indices.create`, `bulk`, …) so code, spec and
 * error messages line up. Order matters only between routes of identical patterns: earlier wins,
 * which is why the "not supported" catch-alls come last.
 */
import type { RouteDef } from "./context";
import { catRoutes } from "./handlers/cat";
import { ccrRoutes } from "./handlers/ccr";
import { clusterRoutes } from "./handlers/cluster";
import { dataStreamRoutes } from "./handlers/dataStreams";
import { documentRoutes } from "./handlers/documents";
import { indicesRoutes } from "./handlers/indices";
import { nodesRoutes } from "./handlers/nodes";
import { searchRoutes } from "./handlers/search";
import { securityRoutes } from "./handlers/security";
import { unsupportedRoutes } from "./handlers/unsupported";

/** Every built-in route. */
export const allRoutes: RouteDef[] = [
  ...ccrRoutes,
  ...securityRoutes,
  ...clusterRoutes,
  ...nodesRoutes,
  ...catRoutes,
  ...searchRoutes,
  ...documentRoutes,
  ...indicesRoutes,
  ...dataStreamRoutes,
  ...unsupportedRoutes,
];
