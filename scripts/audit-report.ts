// Reads `npm audit --json` output: a report, or the error npm prints when the advisory service cannot be reached.
// Pure, so test/security/audit-report.test.ts checks it on both shapes.

export type AuditOutcome = { kind: "report"; total: number; bySeverity: Record<string, number> } | { kind: "unreachable"; reason: string };

interface NpmAuditJson {
  auditReportVersion?: number;
  metadata?: { vulnerabilities?: Record<string, number> };
  message?: string;
  statusCode?: number;
  code?: string;
}

export function readAuditOutput(stdout: string): AuditOutcome {
  let parsed: NpmAuditJson;
  try {
    parsed = JSON.parse(stdout) as NpmAuditJson;
  } catch {
    return { kind: "unreachable", reason: "npm audit printed no JSON report" };
  }
  const vulnerabilities = parsed?.metadata?.vulnerabilities;
  if (parsed?.auditReportVersion !== undefined && vulnerabilities) {
    const bySeverity = Object.fromEntries(Object.entries(vulnerabilities).filter(([severity]) => severity !== "total"));
    return { kind: "report", total: Number(vulnerabilities.total ?? 0), bySeverity };
  }
  // npm's own error shape when the audit endpoint fails: { message, statusCode?, code?, error: {...} }.
  return { kind: "unreachable", reason: parsed?.message ?? parsed?.code ?? "npm audit gave neither a report nor an error" };
}
