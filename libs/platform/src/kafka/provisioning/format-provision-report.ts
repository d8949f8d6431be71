import type { ProvisionReport, TopicProvisionResult } from './topic-provisioning.types';

function describeResult(result: TopicProvisionResult): string {
  const details: string[] = [];
  if (result.partitionsBefore !== undefined) {
    details.push(`partitions ${result.partitionsBefore} -> ${result.partitions}`);
  }
  for (const change of result.configChanges) {
    details.push(`${change.name} ${change.from ?? '(unset)'} -> ${change.to}`);
  }
  const suffix = details.length > 0 ? ` (${details.join(', ')})` : '';
  return `${result.action.padEnd(9)} ${result.topic} [${result.partitions} partitions]${suffix}`;
}

/** One line per topic and one per warning, for scripts and start-up logs. */
export function formatProvisionReport(report: ProvisionReport): string[] {
  const lines = report.topics.map(describeResult);
  for (const result of report.topics) {
    for (const warning of result.warnings) lines.push(`warning   ${warning}`);
  }
  return lines;
}
