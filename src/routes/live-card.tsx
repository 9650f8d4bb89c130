import type { Child } from "hono/jsx";
import type { CardState } from "../domain/card-state";
import { provider } from "../providers/registry";

/**
 * The live card's view (Dexcom's glucose). The readings live in the person's Durable Object, which the settings
 * page does not call (one D1 query, no outbound fetch): the WebSocket to the object sends the current readings as
 * it opens and each new one after; the fragment route fills it on load and every few minutes where WebSockets are
 * unavailable. Without JavaScript the card links to the connection's page, which shows the readings.
 */
export function glucoseLive(states: readonly CardState[]): Partial<Record<string, Child>> {
  const streaming = states.find((s) => provider(s.entry.id).live);
  if (!streaming || (streaming.status !== "connected" && streaming.status !== "error")) return {};
  const id = streaming.entry.id;
  return {
    [id]: (
      <div class="live">
        <div id={`${id}-live`} hx-ws:connect={`/live/${id}`} hx-swap="innerHTML">
          <div class="glucose" id="glucose-live">
            <p class="meta">
              <a href={`/settings/connections/${id}`}>See your latest readings</a>
            </p>
          </div>
        </div>
        <span hx-get={`/settings/live/${id}`} hx-trigger="load, every 300s" hx-target={`#${id}-live`} hx-swap="innerHTML" hidden></span>
      </div>
    ),
  };
}
