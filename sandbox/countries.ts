/** ISO 3166-1 alpha-2 regions named by the runtime's own CLDR data (about 250, like ClickSend's list). */
let cache: Array<{ code: string; value: string }> | undefined;

// Groupings, private-use and withdrawn codes (UK, YU, SU, ...) that ClickSend does not list.
const NOT_COUNTRIES = new Set(
  "EU EZ UN QO XA XB ZZ AC CP DG EA IC TA CQ UK AN HV DY BU ZR CS YU DD FX NH RH SU TP VD YD".split(
    " ",
  ),
);

export function countries(): Array<{ code: string; value: string }> {
  if (cache) return cache;
  const names = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });
  const out: Array<{ code: string; value: string }> = [];
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (NOT_COUNTRIES.has(code)) continue;
      const value = names.of(code);
      if (value && value !== code) out.push({ code, value });
    }
  }
  cache = out.sort((x, y) => x.value.localeCompare(y.value));
  return cache;
}
