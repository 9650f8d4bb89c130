import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import type { HtmlEscapedString } from "hono/utils/html";

/**
 * Each source's mark: our own simple drawing of what the source is (a ring, a strap, a scale, an envelope), white
 * on the source's colour. These are not the companies' logos, which are trademarks we do not copy. A source
 * without a drawing here keeps its two letters, so a new provider needs no change in this file to look right.
 */
const GLYPHS: Partial<Record<string, Child>> = {
  // A ring seen at an angle.
  oura: <ellipse cx="20" cy="21" rx="10" ry="10" fill="none" stroke="#fff" stroke-width="3.5" />,
  // A strap around a wrist, with its sensor.
  whoop: (
    <>
      <rect x="13" y="7" width="14" height="26" rx="6" fill="none" stroke="#fff" stroke-width="3" />
      <rect x="16" y="16" width="8" height="8" rx="2" fill="#fff" />
    </>
  ),
  // Steps: two footprints.
  fitbit: (
    <>
      <ellipse cx="15" cy="23" rx="4" ry="7" fill="#fff" />
      <ellipse cx="25" cy="17" rx="4" ry="7" fill="#fff" />
    </>
  ),
  // A sports watch face with hands.
  garmin: (
    <>
      <circle cx="20" cy="20" r="11" fill="none" stroke="#fff" stroke-width="3" />
      <path d="M20 13v7l5 3" fill="none" stroke="#fff" stroke-width="2.5" stroke-linecap="round" />
    </>
  ),
  // A heart.
  "apple-health": <path d="M20 31s-10-6.2-10-13a5.5 5.5 0 0 1 10-3.2A5.5 5.5 0 0 1 30 18c0 6.8-10 13-10 13z" fill="#fff" />,
  // A phone with a heart on its screen.
  "health-connect": (
    <>
      <rect x="12" y="7" width="16" height="26" rx="3" fill="none" stroke="#fff" stroke-width="2.5" />
      <path d="M20 25s-4.5-2.8-4.5-5.8a2.4 2.4 0 0 1 4.5-1.3 2.4 2.4 0 0 1 4.5 1.3c0 3-4.5 5.8-4.5 5.8z" fill="#fff" />
    </>
  ),
  // A drop of blood: glucose.
  dexcom: <path d="M20 8c5 7 8 11.5 8 15.5a8 8 0 0 1-16 0C12 19.5 15 15 20 8z" fill="#fff" />,
  // A record sheet with a cross.
  epic: (
    <>
      <rect x="11" y="8" width="18" height="24" rx="2.5" fill="none" stroke="#fff" stroke-width="2.5" />
      <path d="M20 14v9M15.5 18.5h9" stroke="#fff" stroke-width="3" stroke-linecap="round" />
    </>
  ),
  // An envelope carrying a receipt.
  gmail: (
    <>
      <rect x="8" y="12" width="24" height="17" rx="2.5" fill="none" stroke="#fff" stroke-width="2.5" />
      <path d="M9 14l11 8 11-8" fill="none" stroke="#fff" stroke-width="2.5" stroke-linejoin="round" />
    </>
  ),
  // A bathroom scale.
  withings: (
    <>
      <rect x="8" y="8" width="24" height="24" rx="5" fill="none" stroke="#fff" stroke-width="2.5" />
      <path d="M15 16a7 7 0 0 1 10 0" fill="none" stroke="#fff" stroke-width="2.5" stroke-linecap="round" />
    </>
  ),
};

type MarkProps = { id: string; letters: string; color: string; size?: number };

// A mark is a constant drawing of catalog values, and its SVG is the costliest markup on the settings page to render
// (hono renders every SVG element inside a namespace context): each is rendered once per isolate and reused. The
// catalog bounds the keys; the cap only guards against a caller passing anything else.
const drawn = new Map<string, HtmlEscapedString>();
const MAX_DRAWN = 64;

export function SourceMark(props: MarkProps) {
  const key = `${props.id}\u0000${props.letters}\u0000${props.color}\u0000${props.size ?? 40}`;
  let html = drawn.get(key);
  if (!html) {
    // Drawing is synchronous, so toString() is the finished string, not a promise.
    html = raw(String((<Drawing {...props} />).toString()));
    if (drawn.size < MAX_DRAWN) drawn.set(key, html);
  }
  return html;
}

function Drawing({ id, letters, color, size = 40 }: MarkProps) {
  const glyph = GLYPHS[id];
  return (
    <svg class="mark" viewBox="0 0 40 40" width={size} height={size} aria-hidden="true" focusable="false">
      <rect width="40" height="40" rx="10" fill={color} />
      {glyph ?? (
        <text x="20" y="25" text-anchor="middle" fill="#fff">
          {letters}
        </text>
      )}
    </svg>
  );
}
