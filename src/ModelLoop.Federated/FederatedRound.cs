using ModelLoop.Federated.Grains;

namespace ModelLoop.Federated;

/// <summary>A finished round as the driver saw it: the coordinator's report and the global model's evaluation ("loss", "accuracy"…; empty without evaluation data).</summary>
public sealed record FederatedRound(RoundReport Report, IReadOnlyDictionary<string, double> Metrics);
