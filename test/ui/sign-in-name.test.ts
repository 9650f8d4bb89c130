import { describe, expect, it } from "vitest";
import { get } from "../helpers";

describe("development sign-in", () => {
  it("does not pre-fill a name, so a new email is not signed in as 'Demo User'", async () => {
    const page = await (await get("/dev/sign-in")).text();
    expect(page).toContain('<input id="name" name="name" autocomplete="name"/>');
    expect(page).not.toContain("Demo User");
  });
});
