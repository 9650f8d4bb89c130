import type { Child } from "hono/jsx";
import { type CardState, connectedCount } from "../src/domain/card-state";
import { DEVICE_FILTER_LABELS, DeviceFilter, matchesFilter, SECTION_TITLES, type Section } from "../src/domain/integration";
import { development } from "../src/platform/development";
import { IntegrationCard, ModalLink } from "./card";
import { DailyPictureSlot } from "./daily-picture";
import { PurchasesLink } from "./purchases-review";

export interface SettingsView {
  states: CardState[];
  filter: DeviceFilter;
  now: number;
  csrfToken: string;
  notice?: string | undefined;
  /** Live content for a card (the Dexcom glucose view), by source id. */
  live?: Partial<Record<string, Child>>;
}

export function ConnectedCount({ states }: { states: CardState[] }) {
  const connected = connectedCount(states);
  const attention = states.filter((s) => s.status === "needs_reauth" || s.status === "error").length;
  return (
    <p class="count" id="connected-count" aria-live="polite">
      <strong>{connected}</strong> of {states.length} sources connected
      {attention > 0 ? (
        <span class="attention">
          {" "}
          · {attention} need{attention === 1 ? "s" : ""} attention
        </span>
      ) : null}
    </p>
  );
}

/** Where people look for a device that is not listed: right after the last one. */
function SuggestTile() {
  return (
    <div class="card suggest-tile">
      <p class="meta">Don't see your device or app?</p>
      <ModalLink href="/settings/suggest" class="btn btn-secondary">
        Suggest a device
      </ModalLink>
    </div>
  );
}

function CardGrid({
  states,
  now,
  id,
  csrfToken,
  live = {},
  after,
}: {
  states: CardState[];
  now: number;
  id: string;
  csrfToken: string;
  live?: SettingsView["live"];
  after?: Child;
}) {
  // Coming-soon cards are compact and come last, so what can be connected today leads.
  const ordered = [...states.filter((s) => s.status !== "coming_soon"), ...states.filter((s) => s.status === "coming_soon")];
  return (
    <div class="grid" id={id}>
      {states.length === 0 ? (
        <p class="empty">No sources of this kind yet.</p>
      ) : (
        ordered.map((state) => <IntegrationCard state={state} now={now} csrfToken={csrfToken} live={live[state.entry.id]} />)
      )}
      {after}
    </div>
  );
}

/** The filter tabs and the device grid; also the fragment a tab swaps in with htmx. */
export function DevicesPanel({ states, filter, now, csrfToken, live }: SettingsView) {
  const devices = states.filter((s) => s.entry.section === "devices" && matchesFilter(s.entry.type, filter));
  return (
    <>
      <nav class="tabs" aria-label="Filter devices">
        {DeviceFilter.options.map((option) => (
          <a
            id={`tab-${option}`}
            href={`/settings?filter=${option}`}
            hx-get={`/settings/devices?filter=${option}`}
            hx-target="#devices-panel"
            hx-swap="innerMorph"
            hx-push-url={`/settings?filter=${option}`}
            aria-current={option === filter ? "page" : undefined}
          >
            {DEVICE_FILTER_LABELS[option]}
          </a>
        ))}
      </nav>
      <CardGrid states={devices} now={now} id="device-grid" csrfToken={csrfToken} live={live} after={<SuggestTile />} />
    </>
  );
}

/** "N of M connected" under a section's header; Disconnect swaps it out of band by its id. */
export function SectionCount({ section, states }: { section: Section; states: CardState[] }) {
  const inSection = states.filter((s) => s.entry.section === section);
  return (
    <span class="section-count" id={`section-count-${section}`}>
      {inSection.filter((s) => s.status === "connected").length} of {inSection.length} connected
    </span>
  );
}

function SectionBlock({
  section,
  states,
  now,
  csrfToken,
  live,
  children,
}: {
  section: Section;
  states: CardState[];
  now: number;
  csrfToken: string;
  live?: SettingsView["live"];
  children?: Child;
}) {
  const inSection = states.filter((s) => s.entry.section === section);
  return (
    <details class="section" id={`section-${section}`} open>
      <summary>
        <h2>{SECTION_TITLES[section]}</h2>
        <SectionCount section={section} states={states} />
      </summary>
      {children ?? <CardGrid states={inSection} now={now} id={`grid-${section}`} csrfToken={csrfToken} live={live} />}
    </details>
  );
}

export function SettingsPage(view: SettingsView) {
  const { states, now, csrfToken } = view;
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Integrations</h1>
          <p class="lede">Connect the devices, records and receipts Wellness OS learns from. You can disconnect any of them at any time.</p>
        </div>
        <ConnectedCount states={states} />
      </div>
      {states.some((s) => s.mode === "sandbox") ? development()?.sandboxNote("page", "") : null}
      {view.notice ? (
        <p class="notice" role="status">
          {view.notice}
        </p>
      ) : null}
      <SectionBlock section="devices" states={states} now={now} csrfToken={csrfToken}>
        <div id="devices-panel">
          <DevicesPanel {...view} />
        </div>
      </SectionBlock>
      <DailyPictureSlot />
      <SectionBlock section="records" states={states} now={now} csrfToken={csrfToken} live={view.live} />
      <SectionBlock section="purchases" states={states} now={now} csrfToken={csrfToken}>
        <CardGrid states={states.filter((s) => s.entry.section === "purchases")} now={now} id="grid-purchases" csrfToken={csrfToken} live={view.live} />
        <PurchasesLink />
      </SectionBlock>
    </>
  );
}
