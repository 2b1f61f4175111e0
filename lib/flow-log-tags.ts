/**
 * The tag that marks a storage account holding flow logs: records of traffic kept for
 * `logRetentionDays`, which need no copy in a second region (policy/rules/resilience.ts).
 */
export const storagePurposeTag = "purpose";
export const flowLogsPurpose = "flow-logs";
