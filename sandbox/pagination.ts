/** Laravel-style pagination, as ClickSend returns it; limit clamped to 15..100. */
export function paginate<T>(items: T[], query: URLSearchParams, pageUrl: string) {
  const rawLimit = Number(query.get("limit") ?? 15);
  const limit = Number.isFinite(rawLimit) ? Math.min(100, Math.max(15, Math.trunc(rawLimit))) : 15;
  const rawPage = Number(query.get("page") ?? 1);
  const page = Number.isFinite(rawPage) && rawPage >= 1 ? Math.trunc(rawPage) : 1;
  const total = items.length;
  const lastPage = Math.ceil(total / limit);
  const start = (page - 1) * limit;
  const slice = items.slice(start, start + limit);
  const link = (p: number) => `${pageUrl}?page=${p}`;
  return {
    total,
    per_page: limit,
    current_page: page,
    last_page: lastPage,
    next_page_url: page < lastPage ? link(page + 1) : null,
    prev_page_url: page > 1 ? link(page - 1) : null,
    from: slice.length ? start + 1 : null,
    to: slice.length ? start + slice.length : null,
    data: slice,
  };
}

/** ClickSend's q=field:value,field2:value search (case-insensitive contains) with operator AND|OR. */
export function search<T extends object>(items: T[], query: URLSearchParams): T[] {
  const q = query.get("q");
  let out = items;
  if (q) {
    const terms = q
      .split(",")
      .map((term) => {
        const at = term.indexOf(":");
        return at > 0
          ? [
              term.slice(0, at).trim(),
              term
                .slice(at + 1)
                .trim()
                .toLowerCase(),
            ]
          : undefined;
      })
      .filter((t): t is string[] => t !== undefined);
    const any = query.get("operator")?.toUpperCase() === "OR";
    const matches = (item: T, [field, value]: string[]) => {
      const v = (item as Record<string, unknown>)[field as string];
      return (
        v !== null &&
        v !== undefined &&
        String(v)
          .toLowerCase()
          .includes(value as string)
      );
    };
    out = out.filter((item) =>
      any ? terms.some((t) => matches(item, t)) : terms.every((t) => matches(item, t)),
    );
  }
  const orderBy = query.get("order_by");
  if (orderBy) {
    const [field, dir] = orderBy.split(":");
    const sign = dir?.toLowerCase() === "desc" ? -1 : 1;
    out = [...out].sort((a, b) => {
      const x = (a as Record<string, unknown>)[field as string];
      const y = (b as Record<string, unknown>)[field as string];
      if (typeof x === "number" && typeof y === "number") return (x - y) * sign;
      return String(x ?? "").localeCompare(String(y ?? "")) * sign;
    });
  }
  return out;
}
