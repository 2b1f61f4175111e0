/** The Go tools' folder for a test that runs one of them: missing tools fail the test in CI and skip it elsewhere. */
import { builtGoTools } from "../../tools/go/go-tools.ts";

export function goToolsOrSkip(context: Mocha.Context, tool: string): string {
    const tools = builtGoTools();
    if ("missing" in tools) {
        if (process.env["CI"]) {
            throw new Error(`${tool} is not built: ${tools.missing}`);
        }
        console.warn(`  skipped: ${tools.missing}`);
        context.skip();
    }
    return tools.binDir;
}
