using ModelLoop.Evaluation;
using ModelLoop.Evaluation.Report;

namespace ModelLoop.Language.Evaluation;

/// <summary>What <see cref="LanguageModelEvaluationJob.Run"/> measured and wrote.</summary>
/// <param name="Scores">Per-document and token-weighted loss and perplexity.</param>
/// <param name="Report">report.html and evaluation.json.</param>
/// <param name="OutputDirectory">The report folder.</param>
/// <param name="Comparison">Against the champion, when one was given; else null.</param>
public sealed record LanguageModelEvaluationOutcome(HeldOutScores Scores, ReportFiles Report, string OutputDirectory, ComparisonResult? Comparison);
