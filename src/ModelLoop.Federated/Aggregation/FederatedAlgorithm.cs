namespace ModelLoop.Federated.Aggregation;

/// <summary>How a round's updates become the next global model.</summary>
public enum FederatedAlgorithm
{
    /// <summary>FedAvg (McMahan et al. 2017): the sample-weighted mean of the owners' updates. The default.</summary>
    FedAvg,
    /// <summary>FedProx (Li et al. 2020): FedAvg whose owners add μ/2‖w − w_global‖² to their local loss (<see cref="Local.ProximalTerm"/>).</summary>
    FedProx,
    /// <summary>FedAvgM (Hsu et al. 2019): FedAvg with server momentum: v ← βv + Δ, w ← w + η v.</summary>
    FedAvgM,
}
