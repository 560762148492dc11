import type { Route } from "../router.js";
import { accountRoutes } from "./account.js";
import { contactRoutes } from "./contacts.js";
import { emailRoutes } from "./email.js";
import { listRoutes } from "./lists.js";
import { messagingRoutes } from "./messaging.js";
import { repliesRoutes } from "./replies.js";
import { templateRoutes } from "./templates.js";

export const routes: Route[] = [
  ...accountRoutes,
  ...templateRoutes,
  ...listRoutes,
  ...contactRoutes,
  ...emailRoutes,
  ...messagingRoutes,
  ...repliesRoutes,
];
