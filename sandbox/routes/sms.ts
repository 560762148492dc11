import { historyRoute, sendRoutes } from "../outbound.js";
import type { Route } from "../router.js";

/** send_sms: POST sms/send (sms/price on a dry run); list_sms_history: GET sms/history (§4). */
export const smsRoutes: Route[] = [
  ...sendRoutes("sms"),
  historyRoute("sms", "Here are your data."),
];
