/**
 * Path routing as ES's `RestController`/`PathTrie`: a path matches a pattern segment by segment,
 * literal segments beat `{placeholders}` at each level, and the first matching pattern with a
 * handler for the method wins. A path that matches only under other methods is a 405.
 */
import type { Method, RouteDef } from "./context";

interface Compiled {
  route: RouteDef;
  segments: Array<{ literal: string } | { param: string }>;
}

/** Result of routing a request. */
export type RouteMatch =
  | { kind: "found"; route: RouteDef; params: Record<string, string> }
  | { kind: "method-not-allowed"; allowed: Method[] }
  | { kind: "not-found" };

/** Splits and percent-decodes a raw path (`/a%2Cb/_doc/1` → `["a,b","_doc","1"]`). */
export function splitPath(rawPath: string): string[] | undefined {
  const parts = rawPath.split("/").filter((s) => s.length > 0);
  try {
    return parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
}

/** The route table. */
export class Router {
  private readonly compiled: Compiled[] = [];

  constructor(routes: RouteDef[]) {
    for (const route of routes) {
      for (const path of route.paths) {
        const segments = path
          .split("/")
          .filter(Boolean)
          .map((s) => (s.startsWith("{") && s.endsWith("}") ? { param: s.slice(1, -1) } : { literal: s }));
        this.compiled.push({ route, segments });
      }
    }
  }

  /** Every route definition (for listings and tests). */
  routes(): RouteDef[] {
    return [...new Set(this.compiled.map((c) => c.route))];
  }

  match(method: Method, segments: string[]): RouteMatch {
    const candidates: Array<{ c: Compiled; params: Record<string, string>; score: string }> = [];
    for (const c of this.compiled) {
      if (c.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      let score = "";
      for (let i = 0; i < segments.length; i++) {
        const s = c.segments[i]!;
        if ("literal" in s) {
          if (s.literal !== segments[i]) {
            ok = false;
            break;
          }
          score += "0";
        } else {
          params[s.param] = segments[i]!;
          score += "1";
        }
      }
      if (ok) candidates.push({ c, params, score });
    }
    if (candidates.length === 0) return { kind: "not-found" };
    candidates.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : 0));
    for (const want of method === "HEAD" ? (["HEAD", "GET"] as Method[]) : [method]) {
      for (const cand of candidates) {
        if (cand.c.route.methods.includes(want)) return { kind: "found", route: cand.c.route, params: cand.params };
      }
    }
    const allowed = new Set<Method>();
    for (const cand of candidates) for (const m of cand.c.route.methods) allowed.add(m);
    return { kind: "method-not-allowed", allowed: [...allowed] };
  }
}
