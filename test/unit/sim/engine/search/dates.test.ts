/**
 * Date parsing fast paths (hand-parsed complete ISO date-times, Date.UTC arithmetic for years
 * 100–9999) must give exactly what the general paths (the ISO regex, Date objects) give.
 */
import { compileDateFormat, Fields, isoFields, isoFieldsByRegex, toMillis, toMillisByDate } from "../../../../../sim/engine/search/dates";
import { seededRandom } from "../../../../../cli/drill/seeded";

const outcome = (f: () => unknown) => {
  try {
    return { value: f() };
  } catch (e) {
    return { error: String(e) };
  }
};

describe("ISO date-time fast path agrees with the regex", () => {
  test.each([
    "2023-11-14T22:13:20.000Z",
    "2023-11-14T22:13:20Z",
    "2023-11-14T22:13:20",
    "2023-11-14T22:13:20.5",
    "2023-11-14T22:13:20,123456789Z",
    "2023-11-14T22:13:20.1234567891Z",
    "2023-11-14T22:13:20.Z",
    "2023-11-14T22:13:20+05:30",
    "2023-11-14T22:13:20-05:30",
    "2023-11-14T22:13:20-00:00",
    "2023-11-14T22:13:20+0530",
    "2023-11-14T22:13:20+05",
    "2023-11-14T22:13:20z",
    "2023-11-14t22:13:20Z",
    "2023-11-14T22:13:20Z ",
    " 2023-11-14T22:13:20Z",
    "2023-13-45T99:99:99Z",
    "0000-01-01T00:00:00Z",
    "20231-11-14T22:13:20Z",
    "2023-11-14T2213:20Z",
    "2023-11-14T22:13",
    "2023-11-14",
    "2023",
    "+2023-11-14T22:13:20Z",
    "2023-1a-14T22:13:20Z",
    "2023-11-14T22:13:20.12x",
    "2023-11-14T22:13:20+05:3x",
  ])("%j", (text) => {
    expect(isoFields(text)).toStrictEqual(isoFieldsByRegex(text));
  });

  test("random strings near the complete form", () => {
    const rand = seededRandom(11);
    const alphabet = "0123456789-T:.,Z+ zt";
    for (let k = 0; k < 50_000; k++) {
      const base = new Date(Math.floor(rand() * 4e12) - 1e12).toISOString();
      let text = rand() < 0.3 ? base.slice(0, 19) : rand() < 0.5 ? base.slice(0, 20 + Math.floor(rand() * 4)) + "Z" : base;
      if (rand() < 0.3) text += ["+05:30", "-11:00", "+00:00", "-00:00", "+0530", "+05"][Math.floor(rand() * 6)];
      const edits = Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * (text.length + 1));
        const ch = alphabet[Math.floor(rand() * alphabet.length)];
        const op = rand();
        text =
          op < 0.4
            ? text.slice(0, at) + ch + text.slice(at + 1)
            : op < 0.7
              ? text.slice(0, at) + ch + text.slice(at)
              : text.slice(0, at) + text.slice(at + 1);
      }
      const fast = isoFields(text);
      const slow = isoFieldsByRegex(text);
      if (JSON.stringify(fast) !== JSON.stringify(slow) || !Object.is(fast?.offsetMinutes, slow?.offsetMinutes))
        expect({ text, fields: fast }).toStrictEqual({ text, fields: slow });
    }
  });
});

describe("Date.UTC arithmetic agrees with the Date-object path", () => {
  test("random fields, both rounding directions, around every edge", () => {
    const rand = seededRandom(12);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    for (let k = 0; k < 50_000; k++) {
      const f: Fields = {
        year: pick([0, 4, 99, 100, 400, 1900, 1970, 2000, 2024, 2100, 9999, 10000, Math.floor(rand() * 12000)]),
        month: rand() < 0.1 ? undefined : Math.floor(rand() * 14),
        day: rand() < 0.1 ? undefined : Math.floor(rand() * 33),
        hour: rand() < 0.1 ? undefined : Math.floor(rand() * 25),
        minute: rand() < 0.1 ? undefined : Math.floor(rand() * 61),
        second: rand() < 0.1 ? undefined : Math.floor(rand() * 61),
        nanos: undefined,
        fractionDigits: undefined,
        offsetMinutes: rand() < 0.3 ? undefined : Math.floor(rand() * 1500) - 750,
      };
      if (rand() < 0.5) {
        f.fractionDigits = 1 + Math.floor(rand() * 9);
        f.nanos = Math.floor(rand() * 10 ** f.fractionDigits) * 10 ** (9 - f.fractionDigits);
      }
      const roundUp = rand() < 0.5;
      const offset = Math.floor(rand() * 120) - 60;
      const fast = outcome(() => toMillis(f, roundUp, offset));
      const slow = outcome(() => toMillisByDate(f, roundUp, offset));
      if (!Object.is(fast.value, slow.value) || fast.error !== slow.error) expect({ f, roundUp, fast }).toEqual({ f, roundUp, fast: slow });
    }
  });

  test("formats are compiled once and shared", () => {
    expect(compileDateFormat("yyyy/MM/dd")).toBe(compileDateFormat("yyyy/MM/dd"));
    expect(compileDateFormat().parse("2024-02-29T12:00:00Z")).toBe(Date.UTC(2024, 1, 29, 12));
    expect(() => compileDateFormat().parse("2023-02-29T12:00:00Z")).toThrow();
  });
});
