// Runs before every test file: select the backend once, quietly, as the kit would.
import { initBackend } from "../../lib/backend";

export const mochaHooks = {
  async beforeAll(): Promise<void> {
    await initBackend({ quiet: true });
  },
};
