import { ok } from "../envelope.js";
import { CURRENCY } from "../outbound.js";
import { replyTo } from "../replies.js";
import { type Route, route } from "../router.js";
import { now, type SandboxUser } from "../state.js";

const DAY = 86_400;
const DAYS = 30;

interface Tally {
  count: number;
  price: number;
}
const tally = (): Tally => ({ count: 0, price: 0 });

/**
 * GET statistics/sms (§15): per UTC day of the last 30, the SMS sent (outbound, with their price),
 * the replies received (inbound) and the messages that bounced, computed from the sandbox's
 * messages; `total` sums the days.
 */
export const statisticsRoutes: Route[] = [
  route("GET", "statistics/sms", ({ state, user }) => {
    const first = Math.floor(now() / DAY) * DAY - (DAYS - 1) * DAY;
    const days = Array.from({ length: DAYS }, (_, i) => ({
      date: first + i * DAY,
      outbound: tally(),
      inbound: tally(),
      bounced: tally(),
    }));
    const dayOf = (at: number) => days[Math.floor((at - first) / DAY)];
    const { user_id } = user as SandboxUser;
    for (const m of state.messages) {
      if (m.channel !== "sms" || m.user_id !== user_id) continue;
      if (m.status === "Scheduled" || m.status === "Cancelled") continue;
      const reply = replyTo(state, user_id, m.message_id);
      const replied = reply && dayOf(reply.timestamp);
      if (replied) replied.inbound.count += 1;
      const day = dayOf(m.date);
      if (!day) continue;
      const bounced = m.status_code !== null && !["200", "201"].includes(m.status_code);
      const row = bounced ? day.bounced : day.outbound;
      row.count += 1;
      row.price += Number(m.message_price);
    }
    const total = { outbound: tally(), inbound: tally(), bounced: tally() };
    for (const day of days) {
      for (const key of ["outbound", "inbound", "bounced"] as const) {
        total[key].count += day[key].count;
        total[key].price += day[key].price;
      }
    }
    const rounded = (row: { outbound: Tally; inbound: Tally; bounced: Tally }) => {
      for (const t of [row.outbound, row.inbound, row.bounced]) {
        t.price = Math.round(t.price * 10_000) / 10_000;
      }
      return row;
    };
    return ok("Here are your data.", {
      total: rounded(total),
      stats: days.map(rounded),
      _currency: CURRENCY,
    });
  }),
];
