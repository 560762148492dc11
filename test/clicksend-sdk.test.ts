/**
 * ClickSend's official JavaScript SDK (clicksend 5.1.7, a devDependency of this test only) driven
 * against the sandbox: what the SDK sends for the endpoints the tools use must be what the sandbox
 * takes, including the voice receipt rule, marking voice receipts read and the upload. The SDK
 * has no client for alpha-tags, own-numbers or email/addresses (they postdate it), so those are
 * not driven here.
 */
import * as cs from "clicksend";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../sandbox/server.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ pollRules: false });
});
afterAll(() => sandbox.close());

type Api = { new (user: string, key: string, base: string): unknown };
const api = <T>(Class: Api) =>
  new Class(sandbox.credentials.username, sandbox.credentials.apiKey, sandbox.baseUrl) as T;

/** The SDK's answer as the envelope ClickSend sends. */
async function answered(call: Promise<{ response: { statusCode?: number }; body: unknown }>) {
  const { response, body } = await call;
  expect(response.statusCode).toBe(200);
  const parsed = (typeof body === "string" ? JSON.parse(body) : body) as Record<string, unknown>;
  expect(parsed.response_code).toBe("SUCCESS");
  return parsed.data as Record<string, unknown> & { messages?: Array<Record<string, unknown>> };
}

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

describe("ClickSend's JS SDK against the sandbox", () => {
  it("sends and prices voice with country and no from, and the sandbox queues it", async () => {
    const voice = api<cs.VoiceApi>(cs.VoiceApi);
    const message = Object.assign(new cs.VoiceMessage(), {
      to: "+61400777401",
      body: "Hello",
      voice: "female",
      lang: "en-au",
      country: "AU",
      customString: "sdk",
      requireInput: 0,
      machineDetection: 0,
    });
    const collection = Object.assign(new cs.VoiceMessageCollection(), { messages: [message] });
    const priced = await answered(voice.voicePricePost(collection));
    expect(priced.messages?.[0]?.status).toBe("SUCCESS");
    const sent = await answered(voice.voiceSendPost(collection));
    expect(sent.messages?.[0]).toMatchObject({ status: "SUCCESS", country: "AU", from: null });
    await answered(voice.voiceLangGet());
    await answered(voice.voiceHistoryGet(undefined, undefined, undefined, 1, 15));
  });

  it("creates the voice receipt POLL rule, lists voice receipts and marks them read", async () => {
    const rules = api<cs.VoiceDeliveryReceiptRulesApi>(cs.VoiceDeliveryReceiptRulesApi);
    const voice = api<cs.VoiceApi>(cs.VoiceApi);
    const before = await answered(voice.voiceReceiptsGet(1, 15));
    expect(before.data).toEqual([]);
    const rule = Object.assign(new cs.DeliveryReceiptRule(), {
      ruleName: "Poll voice receipts",
      matchType: 0,
      action: "POLL",
      actionAddress: "poll",
      enabled: 1,
    });
    const created = await answered(rules.voiceDeliveryReceiptAutomationPost(rule));
    expect(created).toMatchObject({ action: "POLL", enabled: 1 });
    await answered(rules.voiceDeliveryReceiptAutomationsGet(undefined, 1, 15));
    const after = await answered(voice.voiceReceiptsGet(1, 15));
    expect((after.data as unknown[]).length).toBeGreaterThan(0);
    const marked = await answered(voice.voiceReceiptsReadPut(new cs.DateBefore()));
    expect(marked).toBeGreaterThan(0);
  });

  it("uploads an image for MMS and sends an MMS with the URL it returns", async () => {
    const upload = api<cs.UploadApi>(cs.UploadApi);
    const file = Object.assign(new cs.UploadFile(), { content: PNG });
    const { _url } = (await answered(upload.uploadsPost(file, "mms"))) as { _url: string };
    expect(_url).toMatch(/\.jpg$/);
    const mms = api<cs.MMSApi>(cs.MMSApi);
    const message = Object.assign(new cs.MmsMessage(), {
      to: "+61400777402",
      body: "Picture",
      subject: "Hi",
      country: "AU",
    });
    const collection = Object.assign(new cs.MmsMessageCollection(), {
      mediaFile: _url,
      messages: [message],
    });
    await answered(mms.mmsPricePost(collection));
    const sent = await answered(mms.mmsSendPost(collection));
    expect(sent.messages?.[0]?.status).toBe("SUCCESS");
    await answered(mms.mmsHistoryGet(undefined, undefined, undefined, 1, 15));
  });

  it("reads statistics with _currency, and the account, countries and numbers", async () => {
    const stats = await answered(api<cs.StatisticsApi>(cs.StatisticsApi).statisticsSmsGet());
    expect(stats).toHaveProperty("_currency.currency_name_short");
    await answered(api<cs.AccountApi>(cs.AccountApi).accountGet());
    await answered(api<cs.CountriesApi>(cs.CountriesApi).countriesGet());
    const numbers = await answered(api<cs.NumberApi>(cs.NumberApi).numbersGet(1, 15));
    expect((numbers.data as Array<Record<string, unknown>>)[0]).toHaveProperty("_country_name");
  });

  it("sends SMS, and creates and lists the SMS polling rules", async () => {
    const sms = api<cs.SMSApi>(cs.SMSApi);
    const message = Object.assign(new cs.SmsMessage(), { to: "+61400777403", body: "Hi" });
    const collection = Object.assign(new cs.SmsMessageCollection(), { messages: [message] });
    await answered(sms.smsPricePost(collection));
    await answered(sms.smsSendPost(collection));
    await answered(sms.smsHistoryGet(undefined, undefined, undefined, 1, 15));
    const receipts = api<cs.SMSDeliveryReceiptRulesApi>(cs.SMSDeliveryReceiptRulesApi);
    const rule = Object.assign(new cs.DeliveryReceiptRule(), {
      ruleName: "Poll SMS receipts",
      matchType: 0,
      action: "POLL",
      actionAddress: "poll",
      enabled: 1,
    });
    await answered(receipts.smsDeliveryReceiptAutomationPost(rule));
    await answered(receipts.smsDeliveryReceiptAutomationsGet(undefined, 1, 15));
    await answered(sms.smsReceiptsGet(1, 15));
    await answered(sms.smsReceiptsReadPut(new cs.DateBefore()));
    const inbound = api<cs.InboundSMSRulesApi>(cs.InboundSMSRulesApi);
    await answered(inbound.smsInboundAutomationsGet(undefined, 1, 15));
    await answered(sms.smsInboundGet(undefined, 1, 15));
    await answered(sms.smsInboundReadPut(new cs.DateBefore()));
  });

  it("reads lists and contacts, and searches contacts", async () => {
    const lists = await answered(api<cs.ContactListApi>(cs.ContactListApi).listsGet(1, 15));
    const [first] = lists.data as Array<{ list_id: number }>;
    await answered(
      api<cs.ContactApi>(cs.ContactApi).listsContactsByListIdGet(first?.list_id ?? 0, 1, 15),
    );
    await answered(api<cs.SearchApi>(cs.SearchApi).searchContactsListsGet("Ellen", 1, 15));
  });
});
