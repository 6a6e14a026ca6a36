import Mocha from "mocha";

/**
 * Mocha's spec reporter plus one closing line in the plain form CI reads:
 * "N passed, N failed" (", N skipped" when some were pending).
 */
class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      const skipped = pending > 0 ? `, ${pending} skipped` : "";
      console.log(`${passes} passed, ${failures} failed${skipped}`);
    });
  }
}

export = SpecWithSummary;
