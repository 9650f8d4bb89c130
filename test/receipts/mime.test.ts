import { describe, expect, it } from "vitest";
import { extractReceipt } from "../../src/receipts/extract";
import { MAX_MESSAGE_BYTES, parseMime } from "../../src/receipts/mime";

const message = (body: string, headers = "From: Shop <orders@shop.example>\r\nSubject: Receipt\r\nDate: Tue, 03 Mar 2026 10:00:00 +0000\r\n") =>
  `${headers}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`;

describe("messages the pipeline will not parse", () => {
  it("skips a message over the size limit with a reason", async () => {
    const result = await extractReceipt(message("x".repeat(MAX_MESSAGE_BYTES + 1)));
    expect(result).toMatchObject({ status: "skipped", reason: "too_large" });
  });

  it("skips bytes that are not a message", async () => {
    expect(await extractReceipt("this is not an email at all")).toMatchObject({ status: "skipped", reason: "malformed_mime" });
    expect(await extractReceipt(new Uint8Array([0xff, 0xfe, 0x00, 0x01]))).toMatchObject({ status: "skipped", reason: "malformed_mime" });
  });

  it("skips a message with no readable body", async () => {
    expect(await extractReceipt(message(""))).toMatchObject({ status: "skipped", reason: "empty" });
  });
});

describe("a forwarded receipt", () => {
  it("is read as the original: its sender, subject and date", async () => {
    const body = [
      "see below",
      "",
      "---------- Forwarded message ---------",
      "From: Pine Valley Co-op <receipts@pinevalley.example>",
      "Date: Thu, Jan 22, 2026 at 5:48 PM",
      "Subject: Your Pine Valley Co-op receipt",
      "To: <me@work.example>",
      "",
      "Total  $32.74",
    ].join("\r\n");
    const result = await parseMime(
      message(body, "From: Me <me@work.example>\r\nSubject: Fwd: Your Pine Valley Co-op receipt\r\nDate: Fri, 23 Jan 2026 09:02:11 -0800\r\n"),
    );
    expect(result.ok && result.message).toMatchObject({
      forwarded: true,
      fromName: "Pine Valley Co-op",
      fromAddress: "receipts@pinevalley.example",
      subject: "Your Pine Valley Co-op receipt",
      date: "2026-01-22",
    });
  });
});
