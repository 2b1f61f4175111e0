// Mocha's spec reporter plus the closing line CI reads: "N passed, N failed[, N skipped]".
const { reporters, Runner } = require("mocha");

class SummaryReporter extends reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        runner.once(Runner.constants.EVENT_RUN_END, () => {
            const { passes, failures, pending } = runner.stats;
            process.stdout.write(`\n${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ""}\n`);
        });
    }
}

module.exports = SummaryReporter;
