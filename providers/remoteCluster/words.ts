/** RemoteCluster steps in DR words (the resource is named `<peer>-remote` by the site plan). */
import type { Words } from "../words";

export const remoteClusterWords: Words = ({ op, name, site }) => {
  const alias = name.replace(/-remote$/, "");
  if (op === "create") return `register remote cluster ${alias} on ${site}`;
  if (op === "update") return `update remote cluster ${alias} on ${site}`;
  if (op === "delete") return `remove remote cluster ${alias} on ${site}`;
  return undefined;
};
