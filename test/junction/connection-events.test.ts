import { expect, it } from "vitest";
import connectionCreated from "../../src/providers/junction/fixtures/event-provider-connection-created.json";
import { hubHoldsTokens } from "../helpers";
import { appleSource, connectionOf, consume, deliver, envelope, healthConnectSource, junctionPerson, ledgerRow } from "./harness";

// Junction's connection events set the card named by the event's source: apple_health_kit is Apple Health,
// health_connect is Health Connect (fixture: the docs' "Provider connection created" example, slug swapped).

it("provider.connection.created connects the card its source names, and only that one", async () => {
  const person = await junctionPerson();
  const delivery = await deliver(
    envelope(person, "provider.connection.created", { ...connectionCreated.data, source: healthConnectSource, user_id: person.junctionUserId }),
  );
  expect(delivery.status).toBe(200);
  const { verdict } = await consume(delivery.jobs);
  expect(verdict.explicitAcks).toHaveLength(1);

  expect(await connectionOf(person.userId, "health-connect")).toMatchObject({
    status: "connected",
    externalUserId: person.junctionUserId,
    mode: "live",
    nextSyncAt: null,
  });
  expect(await connectionOf(person.userId, "apple-health")).toBeUndefined();
  // The UserHub now accepts the source's records (it holds the Junction user, no provider token).
  expect(await hubHoldsTokens(person.userId, "health-connect")).toBe(true);
  expect(await ledgerRow(delivery.svixId)).toEqual([expect.objectContaining({ status: "processed" })]);
});

it("provider.connection.error puts a connected card in error with a reason the person can act on", async () => {
  const person = await junctionPerson();
  await consume((await deliver(envelope(person, "provider.connection.created", { source: appleSource, user_id: person.junctionUserId }))).jobs);
  const error = await deliver(
    envelope(person, "provider.connection.error", {
      provider: { slug: "apple_health_kit" },
      error_type: "required_scopes_not_granted",
      message: "free text from the provider",
      user_id: person.junctionUserId,
    }),
  );
  await consume(error.jobs);
  const connection = await connectionOf(person.userId, "apple-health");
  expect(connection).toMatchObject({ status: "error" });
  expect(connection?.statusReason).toContain("required scopes not granted");
  expect(connection?.statusReason).toContain("phone");
  // Provider free text never reaches the card.
  expect(connection?.statusReason).not.toContain("free text");
});

it("an event for a Junction user we never made is recorded as skipped, and changes nothing", async () => {
  const stranger = { userId: "usr_nobody", junctionUserId: crypto.randomUUID() };
  const delivery = await deliver(envelope(stranger, "provider.connection.created", { source: appleSource, user_id: stranger.junctionUserId }));
  const { verdict } = await consume(delivery.jobs);
  expect(verdict.explicitAcks).toHaveLength(1);
  expect(await ledgerRow(delivery.svixId)).toEqual([expect.objectContaining({ status: "skipped", detail: "no person with that Junction user id" })]);
});

it("a source this deployment does not reach through Junction is skipped (no card is invented)", async () => {
  const person = await junctionPerson();
  const delivery = await deliver(envelope(person, "provider.connection.created", connectionCreated.data));
  await consume(delivery.jobs);
  expect(await ledgerRow(delivery.svixId)).toEqual([expect.objectContaining({ status: "skipped" })]);
  expect((await ledgerRow(delivery.svixId))[0]?.detail).toContain("freestyle_libre_ble");
});
