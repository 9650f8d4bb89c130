import { expect, it } from "vitest";
import { hubHoldsTokens, postForm } from "../helpers";
import { appleSource, connectionOf, consume, deliver, envelope, junctionPerson } from "./harness";

// Disconnecting a Junction source here deregisters it at Junction (the development Junction answers) and forgets
// the person's Junction grant in their UserHub, through the one disconnect.

it("disconnecting Apple Health tells Junction and leaves the card disconnected", async () => {
  const person = await junctionPerson();
  await consume((await deliver(envelope(person, "provider.connection.created", { source: appleSource, user_id: person.junctionUserId }))).jobs);
  expect(await hubHoldsTokens(person.userId, "apple-health")).toBe(true);

  const response = await postForm("/api/integrations/apple-health/disconnect", person.session, {}, { headers: { "HX-Request": "true" } });
  const html = await response.text();
  expect(response.status).toBe(200);
  expect(html).toContain("Apple confirmed the access is revoked.");
  expect(await connectionOf(person.userId, "apple-health")).toMatchObject({ status: "disconnected" });
  expect(await hubHoldsTokens(person.userId, "apple-health")).toBe(false);
});
