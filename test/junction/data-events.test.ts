import { expect, it } from "vitest";
import activityUpdated from "../../src/providers/junction/fixtures/event-daily-activity-updated.json";
import caloriesActive from "../../src/providers/junction/fixtures/event-daily-calories-active-created.json";
import heartrate from "../../src/providers/junction/fixtures/timeseries-heartrate.json";
import { storedRecords } from "../records/inspect";
import { appleSource, connectionOf, consume, deliver, envelope, healthConnectSource, junctionPerson, ledgerRow } from "./harness";

// daily.data.* events carry their data: a summary at $.data, a timeseries batch at $.data.data (fixtures: the
// docs' "Activity updated" and "Calories Active created" examples).

it("daily.data.activity.updated is stored as Apple Health's daily activity, and a redelivery changes nothing", async () => {
  const person = await junctionPerson();
  await consume((await deliver(envelope(person, "provider.connection.created", { source: appleSource, user_id: person.junctionUserId }))).jobs);

  const body = envelope(person, "daily.data.activity.updated", { ...activityUpdated.data, user_id: person.junctionUserId });
  const first = await deliver(body);
  await consume(first.jobs);
  const stored = await storedRecords(person.userId, { source: "apple-health" });
  expect(stored.map((row) => [row.kind, row.external_id])).toEqual([["daily_activity", "715dd6a5-0c67-471c-b5fe-9681a980a2c2"]]);
  expect(JSON.parse(stored[0]!.data)).toMatchObject({ date: "2023-05-17", step_count: { value: 1496, unit: "steps" } });
  expect((await connectionOf(person.userId, "apple-health"))?.lastSuccessAt).toBeTypeOf("number");

  // Svix's retry of the same message (same svix-id): one ledger row, acknowledged, no second record.
  const again = await deliver(body, { svixId: first.svixId });
  const { verdict } = await consume(again.jobs);
  expect(verdict.explicitAcks).toHaveLength(1);
  expect(await ledgerRow(first.svixId)).toHaveLength(1);
  expect(await storedRecords(person.userId, { source: "apple-health" })).toHaveLength(1);
});

it("a timeseries batch from Health Connect connects the card when its connection event has not arrived yet", async () => {
  const person = await junctionPerson();
  const delivery = await deliver(
    envelope(person, "daily.data.heartrate.created", { data: heartrate, source: healthConnectSource, user_id: person.junctionUserId }),
  );
  await consume(delivery.jobs);
  expect(await connectionOf(person.userId, "health-connect")).toMatchObject({ status: "connected" });
  const stored = await storedRecords(person.userId, { source: "health-connect", kind: "heart_rate" });
  expect(stored.map((row) => row.external_id)).toEqual(["2023-05-17T07:00:00.000Z", "2023-05-17T07:05:00.000Z"]);
});

it("an event type or resource we do not handle is acknowledged and recorded as skipped, not retried", async () => {
  const person = await junctionPerson();
  for (const body of [
    envelope(person, "daily.data.calories_active.created", { ...caloriesActive.data, user_id: person.junctionUserId }),
    envelope(person, "labtest.order.created", { id: "order-1", user_id: person.junctionUserId }),
  ]) {
    const delivery = await deliver(body);
    expect(delivery.status).toBe(200);
    const { verdict } = await consume(delivery.jobs);
    expect(verdict.explicitAcks).toHaveLength(1);
    expect(verdict.retryMessages).toEqual([]);
    expect(await ledgerRow(delivery.svixId)).toEqual([expect.objectContaining({ status: "skipped" })]);
  }
  expect(await storedRecords(person.userId)).toEqual([]);
});
