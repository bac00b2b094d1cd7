namespace ModelLoop.Evaluation;

/// <summary>One class's scores; ROC AUC and average precision are one-vs-rest, null when undefined.</summary>
public sealed record ClassSummary(int Class, string Name, double Precision, double Recall, double F1, long Support, double? RocAuc, double? AveragePrecision);
