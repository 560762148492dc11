import type { ToolDefinition } from "../src/define-tool.js";
import { getAccount, listCountries } from "./account.js";
import {
  createContact,
  deleteContact,
  getContact,
  listContacts,
  updateContact,
} from "./contacts.js";
import { createEmailAddress, deleteEmailAddress, listEmailAddresses } from "./email.js";
import {
  createContactList,
  deleteContactList,
  getContactList,
  listContactLists,
  updateContactList,
} from "./lists.js";
import { listMmsHistory, sendMms } from "./mms.js";
import { cancelScheduledSms, listDeliveryReceipts, listInboundSms } from "./replies.js";
import { listSmsHistory, sendSms } from "./sms.js";
import { createTemplate, deleteTemplate, listTemplates, updateTemplate } from "./templates.js";
import { listVoiceLanguages, sendVoice } from "./voice.js";

/** Every tool, imported explicitly: this list is the catalogue. */
export const tools: ToolDefinition[] = [
  getAccount,
  listCountries,
  sendSms,
  listSmsHistory,
  cancelScheduledSms,
  listInboundSms,
  listDeliveryReceipts,
  listTemplates,
  createTemplate,
  updateTemplate,
  deleteTemplate,
  sendMms,
  listMmsHistory,
  sendVoice,
  listVoiceLanguages,
  listContactLists,
  getContactList,
  createContactList,
  updateContactList,
  deleteContactList,
  listContacts,
  getContact,
  createContact,
  updateContact,
  deleteContact,
  listEmailAddresses,
  createEmailAddress,
  deleteEmailAddress,
];
