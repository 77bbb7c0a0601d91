import { startDrPair, loadOrders, A_INDEX, B_INDEX, inSync } from "../test/helpers/drPair";
import { http } from "../test/helpers/sim";
import { ccrDr } from "../test/helpers/ccrDrCli";
(async () => {
  const pair = await startDrPair();
  try {
    await loadOrders(pair.a.url, A_INDEX, 20);
    for (const s of ["clusterB", "clusterA"] as const) await (await pair.stack(s)).up();
    await inSync(pair.a.url, A_INDEX, pair.b.url, B_INDEX);
    let r = await ccrDr(pair, ["status"]);
    console.log("HEALTHY exit", r.code, "\n" + r.stdout);
    await http(pair.b.url, "PUT", "/_cluster/settings", { persistent: { "cluster.remote.clusterA.proxy_address": "127.0.0.1:1" } });
    await loadOrders(pair.a.url, A_INDEX, 2, "x");
    await new Promise((res) => setTimeout(res, 3000));
    r = await ccrDr(pair, ["status"]);
    console.log("WRONG PROXY exit", r.code, "\n" + r.stdout);
    const t0 = Date.now();
    await pair.a.kill("SIGKILL");
    r = await ccrDr(pair, ["status"]);
    console.log("A DOWN exit", r.code, Date.now() - t0, "ms\n" + r.stdout);
    const t1 = Date.now();
    r = await ccrDr(pair, ["plan", "--to", "clusterB"]);
    console.log("PLAN A DOWN exit", r.code, Date.now() - t1, "ms\n" + r.stdout + r.stderr.slice(-2000));
  } finally {
    await pair.cleanup();
  }
})();
