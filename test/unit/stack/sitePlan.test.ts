/**
 * stack/sitePlan.ts: what a site's stack declares, for every site × primary × fenced × number of
 * index pairs × auto-follow patterns, and exactly (names, kinds, args, dependencies) for the
 * tutorial's follower and a fenced primary — the resources existing stacks hold.
 */
import { type ClusterName, parseSiteConfig, type SiteConfig } from "../../../stack/config";
import { type Declaration, forcedFenceDeclarations, planSite } from "../../../stack/sitePlan";

const PAIRS = [
  { clusterA: "orders", clusterB: "orders-b" },
  { clusterA: "logs", clusterB: "logs-b" },
  { clusterA: "users", clusterB: "users-b" },
];
const PATTERNS = [
  {
    name: "logs",
    leaderIndexPatterns: ["logs-*"],
    leaderIndexExclusionPatterns: ["logs-tmp-*"],
    followIndexPattern: "{{leader_index}}-copy",
  },
  { name: "metrics", leaderIndexPatterns: ["metrics-*"] },
];

function config(site: ClusterName, primary: ClusterName, fenced: boolean, pairs: number, patterns: number): SiteConfig {
  const cfg = parseSiteConfig({
    site,
    primary,
    fenced,
    clusters: {
      clusterA: {
        endpoint: "http://127.0.0.1:9200",
        mode: "proxy",
        proxyAddress: "127.0.0.1:9300",
        proxySocketConnections: 18,
        skipUnavailable: true,
      },
      clusterB: { endpoint: "http://127.0.0.1:9201", mode: "sniff", seeds: ["127.0.0.1:9301"], nodeConnections: 2 },
    },
    indices: PAIRS.slice(0, Math.max(1, pairs)),
  });
  return { ...cfg, indices: PAIRS.slice(0, pairs), autoFollowPatterns: PATTERNS.slice(0, patterns) };
}

const names = (ds: Declaration[], kind: Declaration["kind"]) => ds.filter((d) => d.kind === kind).map((d) => d.name);

const CASES: Array<[ClusterName, ClusterName, boolean, number, number]> = [];
for (const site of ["clusterA", "clusterB"] as const)
  for (const primary of ["clusterA", "clusterB"] as const)
    for (const fenced of [false, true])
      for (const pairs of [0, 1, 3]) for (const patterns of [0, 2]) CASES.push([site, primary, fenced, pairs, patterns]);

describe("planSite", () => {
  test.each(CASES)("site %s, primary %s, fenced %s, %i pair(s), %i pattern(s)", (site, primary, fenced, pairs, patterns) => {
    const peer: ClusterName = site === "clusterA" ? "clusterB" : "clusterA";
    const plan = planSite(config(site, primary, fenced, pairs, patterns));
    const locals = PAIRS.slice(0, pairs).map((p) => p[site]);
    const remote = { kind: "remoteCluster", name: `${peer}-remote` };

    // Every site registers its peer, first, on its own cluster only.
    expect(plan.declarations[0]).toMatchObject({ ...remote, dependsOn: [] });
    expect(plan.remote).toEqual(remote);
    for (const d of plan.declarations) if (d.kind !== "quarantineName") expect(d.args).toMatchObject({ connection: site });
    expect(new Set(plan.declarations.map((d) => `${d.kind}:${d.name}`)).size).toBe(plan.declarations.length);
    expect(plan.indices.map((i) => i.index)).toEqual(locals);

    if (site === primary) {
      expect(plan.role).toBe("primary");
      expect(plan.declarations.map((d) => d.kind)).toEqual([
        "remoteCluster",
        ...locals.map(() => (fenced ? "writeFence" : undefined)).filter(Boolean),
      ]);
      expect(names(plan.declarations, "writeFence")).toEqual(fenced ? locals.map((l) => `${l}-fence`) : []);
      expect(plan.indices).toEqual(
        locals.map((l) => ({
          index: l,
          role: "leader",
          leader: `${site}:${l}`,
          fenced,
          ...(fenced ? { fence: { kind: "writeFence", name: `${l}-fence` } } : {}),
        })),
      );
      expect(plan.autoFollowPatterns).toEqual([]);
      return;
    }
    expect(plan.role).toBe("follower");
    // Followers never fence; the site's quarantine name comes before the followers that use it.
    expect(names(plan.declarations, "writeFence")).toEqual([]);
    expect(plan.declarations.map((d) => d.kind)).toEqual([
      "remoteCluster",
      "quarantineName",
      ...locals.map(() => "followerIndex"),
      ...PATTERNS.slice(0, patterns).map(() => "autoFollowPattern"),
      // the failover of what the patterns follow, only when there are patterns
      ...(patterns > 0 ? ["patternPromotion", "patternFailback"] : []),
    ]);
    expect(plan.declarations[1]).toEqual({
      kind: "quarantineName",
      name: "quarantine-name",
      args: { prefix: "ccr-dr-quarantine", keepers: { primary } },
      dependsOn: [],
    });
    for (const d of plan.declarations.slice(2).filter((x) => x.kind !== "patternPromotion" && x.kind !== "patternFailback"))
      expect(d.dependsOn).toEqual([remote]);
    // The failback of what the patterns match: after the patterns exist, under the site's quarantine name.
    expect(plan.declarations.filter((d) => d.kind === "patternFailback")).toEqual(
      patterns > 0
        ? [
            {
              kind: "patternFailback",
              name: "pattern-failback",
              args: {
                connection: site,
                leaderConnection: peer,
                remoteCluster: peer,
                patterns: PATTERNS.slice(0, patterns),
                declaredIndices: locals,
                quarantineName: "quarantine-name",
              },
              dependsOn: [{ kind: "quarantineName", name: "quarantine-name" }, ...plan.autoFollowPatterns],
            },
          ]
        : [],
    );
    // Deleted (= the promotion) before the patterns it pauses, and it leaves the declared pairs to their FollowerIndex.
    expect(plan.declarations.filter((d) => d.kind === "patternPromotion")).toEqual(
      patterns > 0
        ? [
            {
              kind: "patternPromotion",
              name: "pattern-promotion",
              args: {
                connection: site,
                leaderConnection: peer,
                remoteCluster: peer,
                patterns: PATTERNS.slice(0, patterns).map((p) => p.name),
                declaredIndices: locals,
              },
              dependsOn: plan.autoFollowPatterns,
            },
          ]
        : [],
    );
    expect(names(plan.declarations, "followerIndex")).toEqual(locals);
    expect(names(plan.declarations, "autoFollowPattern")).toEqual(PATTERNS.slice(0, patterns).map((p) => `${p.name}-auto-follow`));
    expect(plan.autoFollowPatterns).toEqual(
      PATTERNS.slice(0, patterns).map((p) => ({ kind: "autoFollowPattern", name: `${p.name}-auto-follow` })),
    );
    expect(plan.indices).toEqual(
      PAIRS.slice(0, pairs).map((p) => ({
        index: p[site],
        role: "follower",
        leader: `${primary}:${p[primary]}`,
        follower: { kind: "followerIndex", name: p[site] },
        quarantineIndex: { quarantineName: "quarantine-name", index: p[site] },
      })),
    );
  });

  test("the tutorial's follower site, exactly", () => {
    const plan = planSite(config("clusterB", "clusterA", false, 1, 2));
    expect(plan.declarations).toEqual([
      {
        kind: "remoteCluster",
        name: "clusterA-remote",
        args: {
          connection: "clusterB",
          alias: "clusterA",
          mode: "proxy",
          proxyAddress: "127.0.0.1:9300",
          proxySocketConnections: 18,
          skipUnavailable: true,
        },
        dependsOn: [],
      },
      {
        kind: "quarantineName",
        name: "quarantine-name",
        args: { prefix: "ccr-dr-quarantine", keepers: { primary: "clusterA" } },
        dependsOn: [],
      },
      {
        kind: "followerIndex",
        name: "orders-b",
        args: {
          connection: "clusterB",
          leaderConnection: "clusterA",
          index: "orders-b",
          remoteCluster: "clusterA",
          leaderIndex: "orders",
          failback: { enabled: true, quarantineIndex: { quarantineName: "quarantine-name", index: "orders-b" } },
        },
        dependsOn: [{ kind: "remoteCluster", name: "clusterA-remote" }],
      },
      {
        kind: "autoFollowPattern",
        name: "logs-auto-follow",
        args: {
          connection: "clusterB",
          name: "logs",
          remoteCluster: "clusterA",
          leaderIndexPatterns: ["logs-*"],
          leaderIndexExclusionPatterns: ["logs-tmp-*"],
          followIndexPattern: "{{leader_index}}-copy",
        },
        dependsOn: [{ kind: "remoteCluster", name: "clusterA-remote" }],
      },
      {
        kind: "autoFollowPattern",
        name: "metrics-auto-follow",
        args: { connection: "clusterB", name: "metrics", remoteCluster: "clusterA", leaderIndexPatterns: ["metrics-*"] },
        dependsOn: [{ kind: "remoteCluster", name: "clusterA-remote" }],
      },
      {
        kind: "patternPromotion",
        name: "pattern-promotion",
        args: {
          connection: "clusterB",
          leaderConnection: "clusterA",
          remoteCluster: "clusterA",
          patterns: ["logs", "metrics"],
          declaredIndices: ["orders-b"],
        },
        dependsOn: [
          { kind: "autoFollowPattern", name: "logs-auto-follow" },
          { kind: "autoFollowPattern", name: "metrics-auto-follow" },
        ],
      },
      {
        kind: "patternFailback",
        name: "pattern-failback",
        args: {
          connection: "clusterB",
          leaderConnection: "clusterA",
          remoteCluster: "clusterA",
          patterns: [
            {
              name: "logs",
              leaderIndexPatterns: ["logs-*"],
              leaderIndexExclusionPatterns: ["logs-tmp-*"],
              followIndexPattern: "{{leader_index}}-copy",
            },
            { name: "metrics", leaderIndexPatterns: ["metrics-*"] },
          ],
          declaredIndices: ["orders-b"],
          quarantineName: "quarantine-name",
        },
        dependsOn: [
          { kind: "quarantineName", name: "quarantine-name" },
          { kind: "autoFollowPattern", name: "logs-auto-follow" },
          { kind: "autoFollowPattern", name: "metrics-auto-follow" },
        ],
      },
    ]);
  });

  test("a fenced primary registering a sniff-mode peer, exactly", () => {
    const plan = planSite(config("clusterA", "clusterA", true, 1, 2));
    expect(plan.declarations).toEqual([
      {
        kind: "remoteCluster",
        name: "clusterB-remote",
        args: { connection: "clusterA", alias: "clusterB", mode: "sniff", seeds: ["127.0.0.1:9301"], nodeConnections: 2 },
        dependsOn: [],
      },
      { kind: "writeFence", name: "orders-fence", args: { connection: "clusterA", index: "orders" }, dependsOn: [] },
    ]);
  });
});

test("forcedFenceDeclarations: a kept WriteFence per writable index of the old primary, through the old primary's connection", () => {
  const cfg = config("clusterB", "clusterB", false, 3, 0);
  expect(forcedFenceDeclarations(cfg, ["orders", "logs"])).toEqual([
    { kind: "writeFence", name: "orders-forced-fence", args: { connection: "clusterA", index: "orders", onDelete: "keep" }, dependsOn: [] },
    { kind: "writeFence", name: "logs-forced-fence", args: { connection: "clusterA", index: "logs", onDelete: "keep" }, dependsOn: [] },
  ]);
  expect(forcedFenceDeclarations(cfg, [])).toEqual([]);
});
