import type { Route } from "../router.js";
import { accountRoutes } from "./account.js";
import { automationRoutes } from "./automations.js";
import { contactRoutes } from "./contacts.js";
import { emailRoutes } from "./email.js";
import { listRoutes } from "./lists.js";
import { mmsRoutes } from "./mms.js";
import { repliesRoutes } from "./replies.js";
import { senderRoutes } from "./senders.js";
import { smsRoutes } from "./sms.js";
import { statisticsRoutes } from "./statistics.js";
import { templateRoutes } from "./templates.js";
import { uploadRoutes } from "./uploads.js";
import { voiceRoutes } from "./voice.js";

/**
 * One file per toolset, named like its tool file. The first route whose method and pattern match
 * answers, so order matters where patterns overlap: templates come before replies, so that
 * PUT sms/templates/:template_id wins over PUT sms/:message_id/cancel.
 */
export const routes: Route[] = [
  ...accountRoutes,
  ...templateRoutes,
  ...listRoutes,
  ...contactRoutes,
  ...emailRoutes,
  ...smsRoutes,
  ...mmsRoutes,
  ...uploadRoutes,
  ...voiceRoutes,
  ...repliesRoutes,
  ...automationRoutes,
  ...senderRoutes,
  ...statisticsRoutes,
];
