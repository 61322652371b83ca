package io.polyhe.models.tasks;

/**
 * Evaluation figures of one task. Accuracies are exact-match percentages in {@code [0, 100]}.
 *
 * @param n number of test prompts
 * @param baselineAcc softmax baseline, exact pass
 * @param powerExactAcc power-softmax model, exact pass
 * @param polyPlainAcc power-softmax model, poly-plain pass
 * @param maxAbsLogitDiff max |exact - poly-plain| over every logit of every teacher-forced
 *     test sequence (prompt + reference answer)
 */
public record TaskScore(int n, double baselineAcc, double powerExactAcc, double polyPlainAcc, double maxAbsLogitDiff) {}
