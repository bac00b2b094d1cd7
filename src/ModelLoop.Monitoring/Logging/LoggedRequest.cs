namespace ModelLoop.Monitoring.Logging;

/// <summary>What feedback needs to know of a logged request before it is stored: its version, item count and what the outputs mean.</summary>
public sealed record LoggedRequest(string RequestId, string Model, string Version, int ItemCount, LoggedModelInfo Info);
