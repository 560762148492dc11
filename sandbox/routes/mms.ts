import { historyRoute, sendRoutes } from "../outbound.js";
import type { Route } from "../router.js";

/** send_mms: POST mms/send (mms/price on a dry run); list_mms_history: GET mms/history (§6). */
export const mmsRoutes: Route[] = [
  ...sendRoutes("mms"),
  historyRoute("mms", "Here is your history."),
];
