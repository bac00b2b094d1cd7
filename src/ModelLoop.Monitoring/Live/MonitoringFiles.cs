namespace ModelLoop.Monitoring.Live;

/// <summary>The files <see cref="MonitoringReportWriter.Write"/> wrote.</summary>
public sealed record MonitoringFiles(string Json, string DriftPlot, string FeaturePlot, string Html);
