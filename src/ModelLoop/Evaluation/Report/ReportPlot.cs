namespace ModelLoop.Evaluation.Report;

/// <summary>A plot of a <see cref="ReportSection"/>: a name (unique in the report, e.g. "privacy-roc"), a caption and PNG bytes.</summary>
public sealed record ReportPlot(string Name, string Caption, byte[] Png);
