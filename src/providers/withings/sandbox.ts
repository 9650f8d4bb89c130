import { int, normal, random, seedOf } from "../../sandbox/generate";
import { type ProviderSandbox, sandboxApi, sandboxBearer } from "../../sandbox/types";
import { MEASURE_TYPES } from "./normalize";

/**
 * The development sandbox of Withings' API: its real host and paths, its `{status, body}` envelope (errors inside
 * HTTP 200, as at Withings), and a scale owner with a year of weigh-ins and a few blood-pressure readings.
 */
const api = sandboxApi();

const DAY_MS = 86_400_000;
const HISTORY_DAYS = 400;
/** Withings documents no page size; a small one here makes every backfill exercise `more`/`offset`. */
const PAGE_SIZE = 50;

/** Withings user ids are integers; the sandbox derives a stable one from the subject. */
export function sandboxWithingsUserId(subject: string): string {
  return String(seedOf("withings-user", subject) % 100_000_000);
}

const ok = (body: unknown) => Response.json({ status: 0, body });
const failure = (status: number, error: string) => Response.json({ status, body: {}, error });

interface Measure {
  value: number;
  type: number;
  unit: number;
  algo?: number;
  fm?: number;
}
interface Group {
  grpid: number;
  attrib: number;
  date: number;
  created: number;
  modified: number;
  category: number;
  deviceid: string | null;
  hash_deviceid: string | null;
  measures: Measure[];
  modelid: number;
  model: string | null;
  comment: null;
}

/** Integer value and exponent, as Withings sends them: 72.345 kg with unit -3 is value 72345. */
const measure = (type: number, real: number, unit: number): Measure => ({ value: Math.round(real / 10 ** unit), type, unit, algo: 0, fm: 131 });

/** Every group of one person's one day (a weigh-in most mornings, a blood-pressure reading now and then). */
function groupsOfDay(subject: string, dayIndex: number, now: number): Group[] {
  const rand = random(seedOf("withings", subject, dayIndex));
  const person = random(seedOf("withings-person", subject));
  const baseline = normal(person, 82, 9, 58, 115);
  const scaleId = seedOf("scale", subject).toString(16).padStart(8, "0").repeat(5);
  const monitorId = seedOf("bpm", subject).toString(16).padStart(8, "0").repeat(5);
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS - dayIndex * DAY_MS;
  const groups: Group[] = [];
  // A slow year: three kilograms down over the months, a little back over the holidays, daily water swings.
  const weight = baseline - 3 * (1 - dayIndex / HISTORY_DAYS) + 0.8 * Math.sin(dayIndex / 58) + normal(rand, 0, 0.35);
  const weighs = rand() < 0.82;
  const date = Math.floor((dayStart + 6.5 * 3_600_000 + rand() * 5_400_000) / 1000);
  if (weighs && date * 1000 <= now) {
    const grpid = seedOf("grp", subject, dayIndex) % 2_000_000_000;
    const manual = rand() < 0.03;
    const ambiguous = !manual && rand() < 0.03;
    const fatRatio = normal(rand, 23 - 2 * (1 - dayIndex / HISTORY_DAYS), 0.6, 8, 45);
    const fatMass = (weight * fatRatio) / 100;
    const fatFree = weight - fatMass;
    groups.push({
      grpid,
      attrib: manual ? 2 : ambiguous ? 1 : 0,
      date,
      created: date + 40,
      modified: date + 40,
      category: 1,
      deviceid: manual ? null : scaleId,
      hash_deviceid: manual ? null : scaleId,
      // A weight typed in by hand has nothing else; the scale measures the rest through the feet.
      measures: manual
        ? [measure(1, weight, -2)]
        : [
            measure(1, weight, -3),
            measure(6, fatRatio, -3),
            measure(8, fatMass, -3),
            measure(5, fatFree, -3),
            measure(76, fatFree * 0.945, -2),
            measure(77, fatFree * 0.72, -2),
            measure(88, fatFree * 0.052, -2),
            measure(11, int(rand, 66, 5, 48, 95), 0),
          ],
      modelid: manual ? 0 : 6,
      model: manual ? null : "Body Cardio",
      comment: null,
    });
  }
  // A blood-pressure check about every twelve days over the last four months, in the evening.
  if (dayIndex < 120 && dayIndex % 12 === 3) {
    const bpDate = Math.floor((dayStart + 20 * 3_600_000 + rand() * 1_800_000) / 1000);
    if (bpDate * 1000 <= now) {
      groups.push({
        grpid: seedOf("bp", subject, dayIndex) % 2_000_000_000,
        attrib: 0,
        date: bpDate,
        created: bpDate + 30,
        modified: bpDate + 30,
        category: 1,
        deviceid: monitorId,
        hash_deviceid: monitorId,
        measures: [measure(9, int(rand, 77, 5, 60, 100), 0), measure(10, int(rand, 121, 7, 95, 160), 0), measure(11, int(rand, 68, 6, 50, 100), 0)],
        modelid: 44,
        model: "BPM Core",
        comment: null,
      });
    }
  }
  return groups;
}

/** Weigh-ins made with the sandbox's "step on the scale" (development only), per isolate like the subscriptions. */
const steppedOn = new Map<string, Group[]>();

api.use("/measure", sandboxBearer("withings"));
api.use("/notify", sandboxBearer("withings"));

/** Withings takes its parameters as a form body (its docs' curl) or in the query string. */
async function paramsOf(request: Request): Promise<URLSearchParams> {
  const params = new URL(request.url).searchParams;
  if (request.method === "POST") for (const [name, value] of new URLSearchParams(await request.text())) params.set(name, value);
  return params;
}

const seconds = (value: string | null) => (value !== null && /^\d{1,12}$/.test(value) ? Number(value) : null);

api.on(["GET", "POST"], "/measure", async (c) => {
  const params = await paramsOf(c.req.raw);
  if (params.get("action") !== "getmeas") return failure(2554, "Not implemented");
  const { subject } = c.get("access");
  const now = Date.now();
  const lastupdate = seconds(params.get("lastupdate"));
  const startdate = seconds(params.get("startdate"));
  const enddate = seconds(params.get("enddate"));
  const offset = seconds(params.get("offset")) ?? 0;
  const types = new Set((params.get("meastypes") ?? params.get("meastype") ?? MEASURE_TYPES.join(",")).split(",").map(Number));
  const groups: Group[] = [];
  for (let day = 0; day < HISTORY_DAYS; day++) {
    for (const group of [...(day === 0 ? (steppedOn.get(subject) ?? []) : []), ...groupsOfDay(subject, day, now)]) {
      if (lastupdate !== null ? group.modified < lastupdate : (startdate !== null && group.date < startdate) || (enddate !== null && group.date > enddate))
        continue;
      const measures = group.measures.filter((m) => types.has(m.type));
      if (measures.length > 0) groups.push({ ...group, measures });
    }
  }
  const page = groups.slice(offset, offset + PAGE_SIZE);
  const more = offset + PAGE_SIZE < groups.length;
  return ok({ updatetime: Math.floor(now / 1000), timezone: "Europe/Paris", measuregrps: page, more: more ? 1 : 0, offset: more ? offset + PAGE_SIZE : 0 });
});

/** The person's notification subscriptions, per isolate: enough for a development session. */
const subscriptions = new Map<string, Map<number, string>>();

api.on(["GET", "POST"], "/notify", async (c) => {
  const params = await paramsOf(c.req.raw);
  const { subject } = c.get("access");
  const mine = subscriptions.get(subject) ?? new Map<number, string>();
  subscriptions.set(subject, mine);
  const appli = Number(params.get("appli"));
  const callbackurl = params.get("callbackurl");
  switch (params.get("action")) {
    case "list":
      return ok({ profiles: [...mine].map(([a, url]) => ({ appli: a, callbackurl: url, expires: 2147483647, comment: "Wellness OS" })) });
    case "subscribe":
      if (!callbackurl || !Number.isInteger(appli)) return failure(503, "Invalid Params");
      mine.set(appli, callbackurl);
      return ok({});
    case "revoke":
      if (mine.get(appli) !== callbackurl) return failure(294, "No such subscription was found");
      mine.delete(appli);
      return ok({});
    default:
      return failure(2554, "Not implemented");
  }
});

/**
 * The sandbox person steps on their scale now: a new weigh-in (the day's weight give or take a little), and the
 * notification Withings would post for it, for each callback the person is subscribed with.
 */
export function sandboxWithingsWeighIn(subject: string, now: number): { callbacks: string[]; form: URLSearchParams } {
  const rand = random(seedOf("withings-step", subject, now));
  const today = groupsOfDay(subject, 0, now + DAY_MS).find((group) => group.measures.some((m) => m.type === 1)) ?? groupsOfDay(subject, 1, now)[0];
  const weight = (today?.measures.find((m) => m.type === 1)?.value ?? 80_000) / 1000 + normal(rand, 0, 0.3);
  const date = Math.floor(now / 1000);
  const group: Group = {
    grpid: seedOf("step", subject, now) % 2_000_000_000,
    attrib: 0,
    date,
    created: date,
    modified: date,
    category: 1,
    deviceid: today?.deviceid ?? null,
    hash_deviceid: today?.hash_deviceid ?? null,
    measures: [measure(1, weight, -3), ...(today?.measures.filter((m) => m.type !== 1) ?? [])],
    modelid: 6,
    model: "Body Cardio",
    comment: null,
  };
  steppedOn.set(subject, [...(steppedOn.get(subject) ?? []), group]);
  const form = new URLSearchParams({ userid: sandboxWithingsUserId(subject), appli: "1", startdate: String(date), enddate: String(date) });
  return { callbacks: [...new Set(subscriptions.get(subject)?.values() ?? [])], form };
}

/** Answers the shared sandbox token endpoint's RFC 6749 replies the way Withings does: in its envelope, HTTP 200. */
async function wrapTokenEndpoint(request: Request, answer: (request: Request) => Promise<Response>): Promise<Response> {
  const form = new URLSearchParams(await request.text());
  // Withings' endpoint serves several actions: without `action=requesttoken` it is not a token request.
  if (form.get("action") !== "requesttoken") return failure(503, "Invalid Params: invalid action");
  const inner = await answer(new Request(request.url, { method: "POST", headers: request.headers, body: form }));
  const data = (await inner.json()) as Record<string, unknown>;
  if (inner.ok) return ok(data);
  const reason = typeof data.error_description === "string" ? data.error_description : String(data.error);
  return data.error === "invalid_client" ? failure(401, `invalid_client: ${reason}`) : failure(503, `Invalid Params: ${reason}`);
}

export const withingsSandbox: ProviderSandbox = {
  source: "withings",
  hosts: ["wbsapi.withings.net"],
  // Withings' access tokens last three hours.
  accessTokenTtlSeconds: 10_800,
  tokenResponseExtras: (subject) => ({ userid: sandboxWithingsUserId(subject) }),
  wrapTokenEndpoint,
  api,
};
