namespace ModelLoop.Storage;

/// <summary>
/// Where the run store and the model registry live: the folder given, else the MODELLOOP_HOME environment
/// variable, else <c>.modelloop/</c> under the current directory.
/// </summary>
public static class ModelLoopHome
{
    public const string EnvironmentVariable = "MODELLOOP_HOME";

    public static string Resolve(string? home = null)
    {
        if (!string.IsNullOrWhiteSpace(home))
            return Path.GetFullPath(home);
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return Path.GetFullPath(string.IsNullOrWhiteSpace(fromEnvironment) ? ".modelloop" : fromEnvironment);
    }
}
