using ModelLoop.Evaluation;

namespace ModelLoop.Language.Evaluation;

/// <summary>What <see cref="DocumentBootstrap.Compare(HeldOutScores, HeldOutScores, ComparisonOptions?)"/> measured.</summary>
/// <param name="Documents">Documents both models were scored on.</param>
/// <param name="Resamples">Bootstrap resamples drawn.</param>
/// <param name="Perplexity">Both perplexities, challenger − champion, and its percentile interval.</param>
/// <param name="Loss">Both token-weighted mean losses (nats per token), challenger − champion, and its percentile interval.</param>
/// <param name="PValue">Two-sided bootstrap p-value of the loss difference (the same for perplexity, a monotone function of it).</param>
public sealed record DocumentBootstrapResult(int Documents, int Resamples, MetricDifference Perplexity, MetricDifference Loss, double PValue);
