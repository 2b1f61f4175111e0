export type { Budget, BudgetArgs } from "./budget.ts";
export { AwsBudget } from "./aws.ts";
export { AzureBudget } from "./azure.ts";
