/** `npm run engine`: builds the Pulumi engine for the end-to-end tests, or reuses the cached one. */
import { ensureEngine } from "./engine.ts";

try {
    ensureEngine((line) => process.stderr.write(`${line}\n`));
} catch (error) {
    process.stderr.write(`engine: ${(error as Error).message}\n`);
    process.exit(1);
}
