/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests of
 * `ccr-dr status --format prometheus`: it throws on any line a Prometheus server would refuse
 * (bad metric or label names, unescaped label values, a sample before its family's TYPE, a family
 * split or declared twice, a value that is not a float).
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  help: Record<string, string>;
  type: Record<string, string>;
  samples: Sample[];
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    if (eq < 0) throw new Error(`label without value in: ${line}`);
    const name = text.slice(i, eq).trim();
    if (!LABEL.test(name) || name.startsWith("__")) throw new Error(`bad label name ${JSON.stringify(name)} in: ${line}`);
    if (text[eq + 1] !== '"') throw new Error(`label value not quoted in: ${line}`);
    let j = eq + 2;
    let value = "";
    for (;;) {
      if (j >= text.length) throw new Error(`unterminated label value in: ${line}`);
      const c = text[j]!;
      if (c === "\\") {
        const n = text[j + 1];
        if (n === "\\") value += "\\";
        else if (n === '"') value += '"';
        else if (n === "n") value += "\n";
        else throw new Error(`bad escape \\${n} in: ${line}`);
        j += 2;
        continue;
      }
      if (c === '"') break;
      if (c === "\n") throw new Error(`raw line feed in label value: ${line}`);
      value += c;
      j++;
    }
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
    else if (i < text.length) throw new Error(`expected , after label ${name} in: ${line}`);
  }
  return labels;
}

function parseValue(v: string, line: string): number {
  if (v === "NaN") return NaN;
  if (v === "+Inf") return Infinity;
  if (v === "-Inf") return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) throw new Error(`bad value ${JSON.stringify(v)} in: ${line}`);
  return Number(v);
}

export function parseExposition(text: string): Exposition {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a line feed");
  const out: Exposition = { help: {}, type: {}, samples: [] };
  const closed = new Set<string>();
  let current: string | undefined;
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) continue; // a comment
      const [, kind, name, rest] = m;
      if (!METRIC.test(name!)) throw new Error(`bad metric name in: ${line}`);
      if (closed.has(name!)) throw new Error(`family ${name} declared again after other families: ${line}`);
      if (current !== undefined && current !== name) closed.add(current);
      current = name;
      if (kind === "HELP") {
        if (name! in out.help) throw new Error(`HELP twice for ${name}`);
        if (/\\[^\\n]/.test(rest!.replace(/\\\\/g, ""))) throw new Error(`bad escape in HELP: ${line}`);
        out.help[name!] = rest!.replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
      } else {
        if (name! in out.type) throw new Error(`TYPE twice for ${name}`);
        if (!TYPES.has(rest!)) throw new Error(`bad TYPE in: ${line}`);
        if (out.samples.some((s) => s.name === name)) throw new Error(`TYPE after samples of ${name}`);
        out.type[name!] = rest!;
      }
      continue;
    }
    if (line.trim() === "") throw new Error("empty line in exposition");
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    if (!m) throw new Error(`bad sample line: ${JSON.stringify(line)}`);
    const name = m[1]!;
    if (closed.has(name)) throw new Error(`samples of ${name} are not together: ${line}`);
    if (current !== name) {
      if (current !== undefined) closed.add(current);
      current = name;
    }
    if (!(name in out.type)) throw new Error(`sample of ${name} before its TYPE`);
    out.samples.push({ name, labels: m[3] ? parseLabels(m[3], line) : {}, value: parseValue(m[4]!, line) });
  }
  const keys = out.samples.map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) throw new Error(`duplicate series ${dup}`);
  return out;
}

/** The samples of `name` whose labels include `labels`. */
export function samples(e: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}
