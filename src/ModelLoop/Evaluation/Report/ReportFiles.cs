namespace ModelLoop.Evaluation.Report;

/// <summary>The files a report was written to, and the names of the plots it embeds (in page order).</summary>
public sealed record ReportFiles(string Html, string Json, IReadOnlyList<string> Plots);
