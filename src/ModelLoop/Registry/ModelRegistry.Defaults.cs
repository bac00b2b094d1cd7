namespace ModelLoop.Registry;

public sealed partial class ModelRegistry
{
    /// <summary>The alias a reference without a version means: "production".</summary>
    public const string DefaultAlias = "production";

    /// <summary>
    /// The one rule for "no version given" — the server, <c>eval</c>, comparisons and the SDK all ask here: the
    /// <see cref="DefaultAlias"/> when it is set, else the newest version (a model not promoted yet still answers).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such model.</exception>
    public ModelVersion GetDefaultVersion(string name) =>
        GetAliasVersion(name, DefaultAlias) is { } production ? GetVersion(name, production) : GetVersion(name, "latest");

    /// <summary><see cref="GetVersion(string, string)"/> for a reference, <see cref="GetDefaultVersion"/> for none.</summary>
    public ModelVersion GetVersionOrDefault(string name, string? versionOrAlias) =>
        versionOrAlias is null ? GetDefaultVersion(name) : GetVersion(name, versionOrAlias);
}
