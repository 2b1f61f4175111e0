export type { Database, DatabaseArgs } from "./database.ts";
export { adminUsername, databaseName, postgresPort } from "./database.ts";
export { AwsDatabase } from "./aws.ts";
export { AzureDatabase } from "./azure.ts";
