import { expect, it } from "vitest";
import { readAuditOutput } from "../../scripts/audit-report.ts";
import report from "./fixtures/npm-audit-report.json";
import unreachable from "./fixtures/npm-audit-unreachable.json";

// Issue 12, item 11: CI runs `npm audit --omit=dev` (scripts/audit.ts). A report with findings fails the build; an
// advisory service that cannot be reached is said plainly, not mistaken for a clean report.
// npm-audit-unreachable.json is what npm 10 printed here against a registry mirror without the audit endpoint;
// npm-audit-report.json has the shape of npm's auditReportVersion 2 report (docs.npmjs.com/cli/commands/npm-audit).

it("reads a report's totals by severity", () => {
  expect(readAuditOutput(JSON.stringify(report))).toEqual({
    kind: "report",
    total: 1,
    bySeverity: { info: 0, low: 0, moderate: 1, high: 0, critical: 0 },
  });
});

it("tells an unreachable advisory service from a clean report", () => {
  expect(readAuditOutput(JSON.stringify(unreachable))).toEqual({ kind: "unreachable", reason: unreachable.message });
  expect(readAuditOutput("")).toMatchObject({ kind: "unreachable" });
});
