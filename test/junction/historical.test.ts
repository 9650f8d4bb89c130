import { expect, it } from "vitest";
import summarySleep from "../../src/providers/junction/fixtures/summary-sleep.json";
import { storedRecords } from "../records/inspect";
import { appleSource, consume, deliver, envelope, junctionPerson, ledgerRow } from "./harness";

// historical.data.{resource}.created carries no data, only the window Junction looked through (docs' "Historical
// Pull Completion" example): the consumer reads that window from Junction's API for the event's source.

const LIVE = { JUNCTION_API_KEY: "sk_us_test_only" } as Partial<Env>;
const DAY_MS = 86_400_000;

async function announced(days = 3) {
  const person = await junctionPerson();
  await consume((await deliver(envelope(person, "provider.connection.created", { source: appleSource, user_id: person.junctionUserId }))).jobs);
  const end = new Date();
  const start = new Date(end.getTime() - days * DAY_MS);
  const delivery = await deliver(
    envelope(person, "historical.data.sleep.created", {
      user_id: person.junctionUserId,
      start_date: start.toISOString(),
      end_date: end.toISOString(),
      provider: "apple_health_kit",
    }),
  );
  return { person, delivery };
}

it("pulls the announced window for the event's source and stores what it returns", async () => {
  const { person, delivery } = await announced();
  const requests: Request[] = [];
  const junction = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request);
    return Response.json(summarySleep);
  };
  const { verdict } = await consume(delivery.jobs, { deps: { fetch: junction }, envOverrides: LIVE });
  expect(verdict.explicitAcks).toHaveLength(1);
  expect(requests).toHaveLength(1);
  const url = new URL(requests[0]!.url);
  expect(url.origin + url.pathname).toBe(`https://api.sandbox.us.junction.com/v2/summary/sleep/${person.junctionUserId}`);
  expect(url.searchParams.get("provider")).toBe("apple_health_kit");
  expect(url.searchParams.get("end_date")).toBe(new Date().toISOString().slice(0, 10));
  expect(requests[0]!.headers.get("x-vital-api-key")).toBe("sk_us_test_only");
  expect((await storedRecords(person.userId, { source: "apple-health" })).map((row) => row.kind)).toEqual(["sleep_session"]);
  expect(await ledgerRow(delivery.svixId)).toEqual([expect.objectContaining({ status: "processed" })]);
});

it("Junction's 429 and 5xx are retried (honouring Retry-After), its refusal of our key too; a 404 fails the event for good", async () => {
  const cases: [Response, "retry" | "failed", number | undefined][] = [
    [new Response("slow down", { status: 429, headers: { "Retry-After": "120" } }), "retry", 120],
    [new Response("down", { status: 503 }), "retry", undefined],
    [new Response("bad key", { status: 401 }), "retry", undefined],
    [new Response("no such user", { status: 404 }), "failed", undefined],
  ];
  for (const [answer, expected, delay] of cases) {
    const { person, delivery } = await announced();
    const { verdict, retries } = await consume(delivery.jobs, { deps: { fetch: async () => answer.clone() }, envOverrides: LIVE });
    if (expected === "retry") {
      expect(verdict.retryMessages, `${answer.status}`).toHaveLength(1);
      if (delay !== undefined) expect([...retries.values()]).toEqual([delay]);
      expect(await ledgerRow(delivery.svixId)).toEqual([expect.objectContaining({ status: "processing" })]);
    } else {
      expect(verdict.explicitAcks).toHaveLength(1);
      expect(await ledgerRow(delivery.svixId)).toEqual([expect.objectContaining({ status: "failed" })]);
    }
    expect(await storedRecords(person.userId)).toEqual([]);
  }
});
