namespace ModelLoop.Evaluation;

/// <summary>
/// Metrics of one group of samples (e.g. one value of a sensitive attribute). Recall, false positive rate and
/// selection rate are for the positive class of the <see cref="FairnessReport"/>; NaN where the group has no
/// positive (recall) or no negative (false positive rate) sample.
/// </summary>
public sealed record GroupMetrics(string Group, long Count, double Accuracy, double Recall, double FalsePositiveRate, double SelectionRate);
