namespace ModelLoop.Monitoring.Retraining;

/// <summary>Accuracy measured on labelled live traffic: the estimate, its confidence interval and how many labelled predictions it rests on.</summary>
/// <param name="Estimate">Share of labelled predictions that were right, in [0, 1].</param>
/// <param name="Lower">Lower end of its confidence interval (e.g. Wilson 95%).</param>
/// <param name="Upper">Upper end of its confidence interval.</param>
/// <param name="Labelled">The number of labelled predictions.</param>
public sealed record LiveAccuracy(double Estimate, double Lower, double Upper, int Labelled);
