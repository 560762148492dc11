import { badRequest, ok } from "../envelope.js";
import { bodyOf } from "../resource.js";
import { type Route, route } from "../router.js";
import { convertedUrl, imageType } from "../uploads.js";

/** The conversions S1 lists for convert; the sandbox performs mms only. */
const CONVERSIONS = new Set(["fax", "mms", "csv", "post", "postcard"]);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** upload_media: POST uploads?convert=mms with {content: base64} (S1, S3 UploadFile). */
export const uploadRoutes: Route[] = [
  route("POST", "uploads", (req) => {
    const convert = req.query.get("convert") ?? String(bodyOf(req).convert ?? "");
    if (!CONVERSIONS.has(convert)) {
      return badRequest("Invalid input.", { convert: "The convert field is required." });
    }
    const content = bodyOf(req).content;
    if (typeof content !== "string" || !BASE64.test(content.replace(/\s/g, ""))) {
      return badRequest("Invalid input.", { content: "The content must be a base64 string." });
    }
    const type = imageType(Buffer.from(content, "base64"));
    if (convert !== "mms" || !type) {
      return badRequest("Unable to convert the file.", { content: "Unsupported file type." });
    }
    return ok("Your file has been uploaded.", { _url: convertedUrl(type) });
  }),
];
