using ModelLoop.Federated;

namespace ModelLoop.Cli.Commands;

/// <summary>Federated failures the user can act on (a round without enough owners, an unreachable coordinator, owners that never came) become one-line errors.</summary>
internal static class FederatedErrors
{
    public static T Run<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is FederatedRoundException or FederatedConnectionException or TimeoutException)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }
}
