import { expect, it } from "vitest";
import connectionCreated from "../../src/providers/junction/fixtures/event-provider-connection-created.json";
import { deliver, envelope, junctionPerson } from "./harness";

// The endpoint's part: a delivery that fails verification is answered 401 and nothing is queued (so nothing can
// be written); the consumer never sees it.

it("a delivery signed with another secret gets 401 and queues nothing", async () => {
  const person = await junctionPerson();
  const delivery = await deliver(envelope(person, "provider.connection.created", connectionCreated.data), { secret: `whsec_${btoa("someone-else")}` });
  expect(delivery.status).toBe(401);
  expect(delivery.jobs).toEqual([]);
});

it("a delivery signed more than five minutes ago (a replay) gets 401 and queues nothing", async () => {
  const person = await junctionPerson();
  const delivery = await deliver(envelope(person, "provider.connection.created", connectionCreated.data), { signedAt: new Date(Date.now() - 6 * 60_000) });
  expect(delivery.status).toBe(401);
  expect(delivery.jobs).toEqual([]);
});

it("with two secrets configured during a rotation, deliveries signed with either are accepted", async () => {
  const person = await junctionPerson();
  const next = `whsec_${btoa("junction-next-key")}`;
  const current = `whsec_${btoa("junction-flow-test")}`;
  for (const secret of [current, next]) {
    const delivery = await deliver(envelope(person, "provider.connection.created", connectionCreated.data), {
      secret,
      envOverrides: { JUNCTION_WEBHOOK_SECRET: `${current} ${next}` },
    });
    expect(delivery.status).toBe(200);
    expect(delivery.jobs).toHaveLength(1);
  }
});
