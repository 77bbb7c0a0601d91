import { connect, connectShared } from "../../../es/connection";

describe("connectShared", () => {
  const conn = { name: "clusterB", endpoints: ["http://127.0.0.1:9"], basicAuth: { username: "u", password: "p1" } };

  test("one client per connection and credentials, a new one when anything that makes the connection differs", () => {
    const a = connectShared(conn);
    expect(connectShared({ ...conn, basicAuth: { ...conn.basicAuth } })).toBe(a);
    expect(connectShared({ ...conn, basicAuth: { username: "u", password: "p2" } })).not.toBe(a);
    expect(connectShared({ ...conn, endpoints: ["http://127.0.0.1:10"] })).not.toBe(a);
    expect(connectShared({ ...conn, requestTimeoutMs: 5 })).not.toBe(a);
    expect(connectShared(conn, { maxRetries: 0 })).not.toBe(a);
    expect(connectShared({ ...conn, name: "other" }).cluster).toBe("other");
  });

  test("connect still builds a fresh client each time (the CLI closes its own)", () => {
    expect(connect(conn).client).not.toBe(connect(conn).client);
  });
});
