import type { CloudName } from "../../config/schema.ts";
import { awsCloud } from "./aws.ts";
import { azureCloud } from "./azure.ts";
import type { Cloud } from "./cloud.ts";

export type { Cloud } from "./cloud.ts";

export const clouds: Record<CloudName, Cloud> = { aws: awsCloud, azure: azureCloud };
