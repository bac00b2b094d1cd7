using System.Globalization;
using ModelLoop.Language.Packaging;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Language;

/// <summary>
/// Language models from a folder of packages (<see cref="LanguageModelPackage.Save"/>'s layout): <c>ROOT/NAME/VERSION/</c>
/// (versions are folder names, numbers sorting numerically) or <c>ROOT/NAME/</c> itself a package (version "1"). The alias
/// "latest" and a request without a version name the highest version. Read on each call, so a version copied in is served
/// on the next request.
/// </summary>
public sealed class LanguageModelFolderCatalog(string root) : ILanguageModelCatalog
{
    /// <summary>The alias of the highest version, also what a request without a version gets.</summary>
    public const string Latest = "latest";

    public string Root { get; } = root ?? throw new ArgumentNullException(nameof(root));

    public IReadOnlyList<ModelInfo> List() =>
        !Directory.Exists(Root) ? [] :
        Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            .Select(name => (Name: name, Versions: Versions(name)))
            .Where(m => m.Versions.Count > 0)
            .Select(m => new ModelInfo(m.Name, m.Versions, new Dictionary<string, string> { [Latest] = m.Versions[^1] }))
            .ToList();

    public ValueTask<string?> ResolveVersion(string name, string? versionOrAlias, CancellationToken cancellationToken)
    {
        if (!IsSafe(name) || (versionOrAlias is not null && !IsSafe(versionOrAlias)))
            return ValueTask.FromResult<string?>(null);
        var versions = Versions(name);
        if (versions.Count == 0)
            return ValueTask.FromResult<string?>(null);
        if (versionOrAlias is null || versionOrAlias.Equals(Latest, StringComparison.OrdinalIgnoreCase))
            return ValueTask.FromResult<string?>(versions[^1]);
        return ValueTask.FromResult(versions.Contains(versionOrAlias) ? versionOrAlias : null);
    }

    public ValueTask<LanguageModelPackage?> Load(string name, string version, CancellationToken cancellationToken)
    {
        if (!IsSafe(name) || !IsSafe(version) || !Versions(name).Contains(version))
            return ValueTask.FromResult<LanguageModelPackage?>(null);
        var single = Path.Combine(Root, name);
        return ValueTask.FromResult<LanguageModelPackage?>(LanguageModelPackage.Load(IsPackage(single) ? single : Path.Combine(single, version)));
    }

    private List<string> Versions(string name)
    {
        var folder = Path.Combine(Root, name);
        if (!Directory.Exists(folder))
            return [];
        if (IsPackage(folder))
            return ["1"];
        return [.. Directory.EnumerateDirectories(folder).Where(IsPackage).Select(Path.GetFileName).OfType<string>()
            .OrderBy(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue).ThenBy(v => v, StringComparer.Ordinal)];
    }

    private static bool IsPackage(string folder) =>
        Directory.Exists(Path.Combine(folder, LanguageModelPackage.ModelFolder)) && Directory.Exists(Path.Combine(folder, LanguageModelPackage.TokenizerFolder));

    // Names come from URLs and bodies: one path segment, no traversal.
    private static bool IsSafe(string segment) =>
        segment.Length is > 0 and <= 128 && segment != "." && segment != ".." && segment.IndexOfAny(['/', '\\', ':']) < 0 && !segment.Contains('\0');
}
