/** `npm run go-tools`: builds the Pulumi engine, the official language host and actionlint, or reuses the cached ones. */
import { ensureGoTools } from "./go-tools.ts";

try {
    ensureGoTools((line) => process.stderr.write(`${line}\n`));
} catch (error) {
    process.stderr.write(`go tools: ${(error as Error).message}\n`);
    process.exit(1);
}
