/**
 * ES reports parse errors with the parser's `[line:col]` location in the request JSON. es-sim only
 * has the parsed value, so it locates the value in the compact JSON form that clients such as
 * elasticsearch-js send (one line, no spaces); for those clients the columns match ES's.
 */

/** Where a value sits in the compact JSON of `root`: line 1, 1-based column of the value's first character. */
export function locateInJson(root: unknown, path: readonly (string | number)[]): { line: number; col: number } {
  let offset = 0;
  let node: unknown = root;
  for (const step of path) {
    if (Array.isArray(node)) {
      offset += 1;
      const index = Number(step);
      for (let i = 0; i < index && i < node.length; i++) offset += (JSON.stringify(node[i]) ?? "null").length + 1;
      node = node[index];
    } else if (node !== null && typeof node === "object") {
      offset += 1;
      for (const [key, value] of Object.entries(node)) {
        if (value === undefined) continue;
        if (key === step) {
          offset += JSON.stringify(key).length + 1;
          break;
        }
        offset += JSON.stringify(key).length + 1 + JSON.stringify(value).length + 1;
      }
      node = (node as Record<string, unknown>)[String(step)];
    } else {
      break;
    }
  }
  return { line: 1, col: offset + 1 };
}
