/** The typed Elasticsearch calls shared by the providers and the `ccr-dr` CLI. */
export * from "./connection";
export * from "./errors";
export * from "./request";
export * from "./cluster";
export * from "./ccr";
export * from "./indices";
export * from "./documents";
