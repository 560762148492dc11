import { ok } from "../envelope.js";
import { VOICE_LANGUAGES } from "../messaging.js";
import { sendRoutes } from "../outbound.js";
import { type Route, route } from "../router.js";

/**
 * send_voice: POST voice/send (voice/price on a dry run); list_voice_languages: GET voice/lang
 * (§7).
 */
export const voiceRoutes: Route[] = [
  ...sendRoutes("voice"),
  route("GET", "voice/lang", () => ok("Here are the possible languages.", VOICE_LANGUAGES)),
];
