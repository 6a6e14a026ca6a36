/** Paths of the checkout the doctor runs from (compiled to dist/lib/doctor/). */
import * as path from "path";

export const CHECKOUT = path.resolve(__dirname, "..", "..", "..");

/** This checkout's tslab binary, which `npm run kernel` registers with Jupyter. */
export const TSLAB_BINARY = path.join(CHECKOUT, "node_modules", ".bin", "tslab");

export const DATASETS_README = path.join(CHECKOUT, "datasets", "README.md");
