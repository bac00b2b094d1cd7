using System.Globalization;
using ModelLoop.Artifacts;
using ModelLoop.Registry;
using ModelLoop.Storage;
using ModelLoop.Tracking;

namespace ModelLoop.Loop;

/// <summary>
/// The one answer to "which model": a run folder written by a <see cref="TrainingJob"/> (its artifact/), a model package
/// folder or .zip, or a registry reference NAME, NAME:VERSION or NAME:ALIAS (no version: <see cref="ModelRegistry.GetDefaultVersion"/>).
/// </summary>
public static class ModelResolver
{
    /// <param name="reference">What the user typed.</param>
    /// <param name="home">Registry folder for registry references; null: <see cref="ModelLoopHome.Resolve"/>.</param>
    /// <exception cref="DirectoryNotFoundException">It is none of the accepted forms; the message lists them.</exception>
    /// <exception cref="KeyNotFoundException">A registry model, version or alias that does not exist.</exception>
    /// <param name="verification">
    /// What the load insists on (a signature, encryption). Defaults to null: nothing required. Signatures are checked
    /// against its trusted keys, else the registry's in <paramref name="home"/>.
    /// </param>
    /// <exception cref="InvalidDataException">The package (or the run folder's checksums.json) fails verification.</exception>
    public static ResolvedModel Resolve(string reference, string? home = null, ArtifactLoadOptions? verification = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        // Folders and zips are checked against the registry's trusted keys too, when one is there.
        ArtifactLoadOptions Trusted() => verification is { TrustedKeys: not null } ? verification : (verification ?? new ArtifactLoadOptions()) with { TrustedKeys = ModelRegistry.ReadTrustedKeys(home) };
        if (Directory.Exists(reference))
        {
            if (File.Exists(Path.Combine(reference, ModelArtifact.ManifestFile)))
                return new ResolvedModel(ModelPackage.Load(reference, Trusted()), Path.GetFullPath(reference), [], Path.Combine(reference, "eval"));
            var package = Path.Combine(reference, "artifact");
            if (File.Exists(Path.Combine(package, ModelArtifact.ManifestFile)))
            {
                RunFolderChecksums.Verify(reference);
                return new ResolvedModel(ModelPackage.Load(package, Trusted()), Path.GetFullPath(reference), RunHistory.FromCsv(Path.Combine(reference, "history.csv")), Path.Combine(reference, "eval"));
            }
            throw new DirectoryNotFoundException($"The folder '{reference}' holds no model package: expected artifact/manifest.json (a run folder written by `modelloop train`) or manifest.json (a package). Was the run finished?");
        }
        if (File.Exists(reference) && reference.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            return new ResolvedModel(ModelPackage.Load(reference, Trusted()), Path.GetFullPath(reference), [], Path.ChangeExtension(reference, null) + "-eval");
        return FromRegistry(reference, home, verification);
    }

    /// <summary>Splits "name:ref" into (name, ref); ref is null without a colon.</summary>
    public static (string Name, string? VersionOrAlias) ParseReference(string reference)
    {
        var separator = reference.IndexOf(':', StringComparison.Ordinal);
        return separator < 0 ? (reference, null) : (reference[..separator], reference[(separator + 1)..]);
    }

    private static ResolvedModel FromRegistry(string reference, string? home, ArtifactLoadOptions? verification)
    {
        var (name, versionOrAlias) = ParseReference(reference);
        var resolvedHome = ModelLoopHome.Resolve(home);
        var registry = IsRegistryName(name) ? OpenExisting(() => ModelRegistry.OpenExisting(resolvedHome)) : null;
        if (registry is null)
            throw new DirectoryNotFoundException($"MODEL '{reference}' is not a folder, a package .zip, nor a model in the registry at '{resolvedHome}'. " +
                "Pass a run folder written by `modelloop train --out DIR`, a package folder or .zip, or NAME[:VERSION|ALIAS] with --home.");
        var version = registry.GetVersionOrDefault(name, versionOrAlias);
        var loaded = registry.Load(name, version.Version.ToString(CultureInfo.InvariantCulture), verification);
        var history = version.RunId is { } runId && OpenExisting(() => RunStore.OpenExisting(resolvedHome)) is { } runs ? RunHistory.FromStore(runs, runId) : [];
        return new ResolvedModel(ModelPackage.From(loaded), $"{name} v{version.Version} ({loaded.Path})", history, Path.Combine("eval", $"{name}-v{version.Version}"))
        {
            RegistryVersion = version,
        };
    }

    /// <summary>A store that exists, or null: resolving only reads, so it never creates one.</summary>
    private static T? OpenExisting<T>(Func<T> open) where T : class
    {
        try
        {
            return open();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static bool IsRegistryName(string name)
    {
        try
        {
            ModelRegistry.CheckName(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
