namespace ModelLoop.Federated;

/// <summary>The coordinator's silo or gateway could not be reached.</summary>
public sealed class FederatedConnectionException : Exception
{
    public FederatedConnectionException(string message, Exception inner) : base(message, inner) { }
}
