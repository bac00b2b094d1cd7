namespace ModelLoop.Federated;

/// <summary>A federated round could not finish (too few owners answered, secure aggregation could not be unmasked); the job keeps its last finished round.</summary>
public sealed class FederatedRoundException : Exception
{
    public FederatedRoundException(string message) : base(message) { }
    public FederatedRoundException(string message, Exception inner) : base(message, inner) { }
}
