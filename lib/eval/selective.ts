/**
 * Selective classification: predict only when a confidence score clears a
 * threshold chosen on validation data, abstain otherwise.
 *
 * Scores are kept in log space (float64, from the logits): two confident
 * models' probabilities round to exactly 1 in float32, which would turn most
 * of a test set into one tie; their log-probabilities stay distinct. Ranking
 * by log(P_init * P_final) is ranking by the product itself.
 *
 * Calibration rule (the kit's, stated in every table): for a target coverage
 * c on N validation scores, k = ceil(c * N) and the threshold is the k-th
 * highest score; a sample is accepted when its score is >= the threshold, so
 * validation coverage is the smallest achievable that reaches c (more only
 * when scores tie at the threshold). c = 1 accepts everything, including test
 * samples scoring below every validation sample.
 */

/** A confidence score and a predicted class per sample. */
export interface ScoredPredictions {
  /** Higher means more confident; comparable only within one scorer. */
  scores: Float64Array;
  classes: Int32Array;
}

/**
 * How the MaskTune pair is scored: "product" is the paper's max_i
 * P_init(i|x) * P_final(i|x) (the default); "softmax-of-product" is the
 * authors' code, max_i softmax(P_init * P_final)_i. The two pick the same
 * class but can rank samples differently (field case C02), with two classes too.
 */
export const ENSEMBLE_SCORES = ["product", "softmax-of-product"] as const;
export type EnsembleScore = (typeof ENSEMBLE_SCORES)[number];

/** The paper's target coverages (Tables 4 and 7). */
export const PAPER_COVERAGES = [1, 0.95, 0.9, 0.85, 0.8] as const;

/** Row-wise log-softmax of an N * k logit matrix, in float64. */
export function logSoftmaxRows(logits: ArrayLike<number>, k: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let row = 0; row < logits.length; row += k) {
    const top = rowArgMax(logits, row, k);
    const max = logits[row + top];
    // log1p of the other terms keeps log P(top) distinct from 0 for very confident rows.
    let others = 0;
    for (let j = 0; j < k; j++) if (j !== top) others += Math.exp(logits[row + j] - max);
    const logNorm = Math.log1p(others);
    for (let j = 0; j < k; j++) out[row + j] = logits[row + j] - max - logNorm;
  }
  return out;
}

function rowArgMax(values: ArrayLike<number>, row: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (values[row + j] > values[row + best]) best = j;
  return best;
}

/** Softmax Response: the largest log-probability of one model and its class. */
export function softmaxResponse(logProbs: Float64Array, k: number): ScoredPredictions {
  const n = logProbs.length / k;
  const scores = new Float64Array(n);
  const classes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    classes[i] = rowArgMax(logProbs, i * k, k);
    scores[i] = logProbs[i * k + classes[i]];
  }
  return { scores, classes };
}

/**
 * The MaskTune pair (ERM model, fine-tuned model): the class maximising
 * P_init * P_final, scored by the log of that product, or by the log of the
 * largest softmax of the products (authors' code).
 */
export function ensembleScores(logInit: Float64Array, logFinal: Float64Array, k: number, score: EnsembleScore = "product"): ScoredPredictions {
  if (logInit.length !== logFinal.length) throw new Error(`ensembleScores: ${logInit.length} and ${logFinal.length} log-probabilities`);
  const logProduct = logInit.map((v, i) => v + logFinal[i]);
  if (score === "product") return softmaxResponse(logProduct, k);
  return softmaxResponse(logSoftmaxRows(logProduct.map(Math.exp), k), k);
}

/**
 * Deep Gamblers: k class outputs plus one abstention output. The class is the
 * best of the k; the score is -log P(abstain), so less reservation ranks higher.
 */
export function gamblerScores(logProbs: Float64Array, kWithAbstain: number): ScoredPredictions {
  const k = kWithAbstain - 1;
  const n = logProbs.length / kWithAbstain;
  const scores = new Float64Array(n);
  const classes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * kWithAbstain;
    classes[i] = rowArgMax(logProbs, row, k);
    scores[i] = -logProbs[row + k];
  }
  return { scores, classes };
}

/** The acceptance threshold for target coverage `coverage` in (0, 1] (see the rule above). */
export function calibrateThreshold(valScores: ArrayLike<number>, coverage: number): number {
  if (!(coverage > 0 && coverage <= 1)) throw new RangeError(`target coverage ${coverage} is not in (0, 1]`);
  const n = valScores.length;
  if (n === 0) throw new RangeError("no validation scores to calibrate the threshold on");
  if (coverage === 1) return -Infinity;
  // The small tolerance keeps c * N = 9.000000000000002 from becoming 10.
  const k = Math.max(1, Math.ceil(coverage * n - 1e-9));
  const sorted = Float64Array.from(valScores).sort();
  return sorted[n - k];
}

export interface SelectiveOutcome {
  /** Accepted share of the samples. */
  coverage: number;
  accepted: number;
  total: number;
  /** Error on the accepted samples; null when nothing is accepted. */
  error: number | null;
}

/** Coverage and selective error at a threshold (accept score >= threshold). */
export function selectiveOutcome(scores: ArrayLike<number>, correct: ArrayLike<boolean>, threshold: number): SelectiveOutcome {
  let accepted = 0;
  let wrong = 0;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] >= threshold) {
      accepted++;
      if (!correct[i]) wrong++;
    }
  }
  return { coverage: scores.length ? accepted / scores.length : 0, accepted, total: scores.length, error: accepted ? wrong / accepted : null };
}

/** Whether each prediction equals its label. */
export function correctness(classes: Int32Array, labels: Int32Array): boolean[] {
  return Array.from(classes, (c, i) => c === labels[i]);
}

export interface CoverageRow {
  target: number;
  /** In score units (log space for the kit's scorers). */
  threshold: number;
  valCoverage: number;
  test: SelectiveOutcome;
  /** Set when the row needs a reader's attention, e.g. nothing accepted. */
  warning?: string;
}

/** Threshold on validation, coverage and error on test, for each target coverage. */
export function coverageTable(
  val: ScoredPredictions & { labels: Int32Array },
  test: ScoredPredictions & { labels: Int32Array },
  targets: readonly number[] = PAPER_COVERAGES,
): CoverageRow[] {
  const valCorrect = correctness(val.classes, val.labels);
  const testCorrect = correctness(test.classes, test.labels);
  return targets.map((target) => {
    const threshold = calibrateThreshold(val.scores, target);
    const row: CoverageRow = { target, threshold, valCoverage: selectiveOutcome(val.scores, valCorrect, threshold).coverage, test: selectiveOutcome(test.scores, testCorrect, threshold) };
    if (row.test.error === null) row.warning = `no test sample reaches the threshold for ${100 * target}% coverage; the selective error is undefined (NA)`;
    return row;
  });
}

export interface RiskCoveragePoint {
  coverage: number;
  risk: number;
}

/**
 * The risk–coverage curve: samples accepted in decreasing score order, a
 * point after each group of tied scores (ties are accepted together), and its
 * area (AURC): the sum over groups of (group size / N) * risk after the group.
 * Without ties this is the usual mean of the selective risk over the N cut-offs.
 */
export function riskCoverageCurve(scores: ArrayLike<number>, correct: ArrayLike<boolean>): { points: RiskCoveragePoint[]; aurc: number } {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const points: RiskCoveragePoint[] = [];
  let aurc = 0;
  let wrong = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end < n && scores[order[end]] === scores[order[start]]) {
      if (!correct[order[end]]) wrong++;
      end++;
    }
    const risk = wrong / end;
    points.push({ coverage: end / n, risk });
    aurc += ((end - start) / n) * risk;
    start = end;
  }
  return { points, aurc };
}
