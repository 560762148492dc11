import type { Route } from "../router.js";
import { accountRoutes } from "./account.js";

export const routes: Route[] = [...accountRoutes];
