/** QuarantineName steps in DR words: one name per failback for the whole site. */
import type { Words } from "../words";

export const quarantineNameWords: Words = ({ op, site }) =>
  op === "create" || op === "replace" ? `reserve this failback's quarantine index names on ${site}` : undefined;
