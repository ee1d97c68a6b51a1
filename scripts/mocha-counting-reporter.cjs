// Mocha's spec reporter; hands its counts to scripts/test.mjs (MOCHA_COUNT_FILE), which prints
// the one closing line CI reads. Run on its own, it prints that line itself.
const Mocha = require('mocha');
const { writeFileSync } = require('node:fs');
const { EVENT_RUN_END } = Mocha.Runner.constants;

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      const counts = { passed: s.passes, failed: s.failures, skipped: s.pending };
      if (process.env.MOCHA_COUNT_FILE) writeFileSync(process.env.MOCHA_COUNT_FILE, JSON.stringify(counts));
      else process.nextTick(() => console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`));
    });
  }
}
module.exports = CountingReporter;
