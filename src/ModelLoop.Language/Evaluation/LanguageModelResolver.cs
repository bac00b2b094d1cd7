using System.Globalization;
using ModelLoop.Language.Packaging;
using ModelLoop.Loop;
using ModelLoop.Registry;
using ModelLoop.Storage;
using ModelLoop.Tracking;

namespace ModelLoop.Language.Evaluation;

/// <summary>
/// The one answer to "which language model" for the lm commands: a package folder (<see cref="LanguageModelPackage.Load"/>:
/// model/ + tokenizer/, a run folder of <c>lm train</c>, or one artifact that carries its tokenizer) or a registry
/// reference NAME, NAME:VERSION or NAME:ALIAS (no version: the registry's default, production else the newest).
/// </summary>
public static class LanguageModelResolver
{
    /// <param name="reference">What the user typed.</param>
    /// <param name="home">The registry and run store's folder. Defaults to null: <see cref="ModelLoopHome.Resolve"/>.</param>
    /// <exception cref="DirectoryNotFoundException">Neither a package folder nor a registered model; the message lists the accepted forms.</exception>
    /// <exception cref="KeyNotFoundException">A registered model without that version or alias.</exception>
    /// <exception cref="InvalidDataException">The package does not verify, or the version is not a language model.</exception>
    public static ResolvedLanguageModel Resolve(string reference, string? home = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var resolvedHome = ModelLoopHome.Resolve(home);
        if (Directory.Exists(reference) || File.Exists(reference))
        {
            var package = LanguageModelPackage.Load(reference);
            var csv = Path.Combine(reference, "history.csv");
            var history = File.Exists(csv) ? RunHistory.FromCsv(csv) : RunHistoryOf(package.Artifact.Metadata.Lineage.RunId, resolvedHome);
            return new ResolvedLanguageModel(package, Path.GetFullPath(reference), history, Path.Combine(reference, "eval"));
        }
        var (name, versionOrAlias) = ModelResolver.ParseReference(reference);
        ModelRegistry registry;
        try
        {
            ModelRegistry.CheckName(name);
            registry = ModelRegistry.OpenExisting(resolvedHome);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException)
        {
            throw new DirectoryNotFoundException($"MODEL '{reference}' is neither a language-model package folder nor a model in the registry at '{resolvedHome}'. " +
                "Pass a folder (model/ + tokenizer/, or a run folder of `modelloop lm train --out DIR`) or NAME[:VERSION|ALIAS] of a model registered with `lm train --register NAME` (with --home).", e);
        }
        var version = registry.GetVersionOrDefault(name, versionOrAlias);
        var loaded = LanguageModelRegistration.Load(registry, name, version.Version.ToString(CultureInfo.InvariantCulture));
        return new ResolvedLanguageModel(loaded, $"{name} v{version.Version} ({loaded.Artifact.Path})", RunHistoryOf(version.RunId, resolvedHome), Path.Combine("eval", $"{name}-v{version.Version}"))
        {
            RegistryVersion = version,
        };
    }

    // The tracked run's per-interval history, or none when the run or the store is gone (resolving creates nothing).
    private static IReadOnlyList<IReadOnlyDictionary<string, double>> RunHistoryOf(string? runId, string home)
    {
        if (runId is null)
            return [];
        try
        {
            return RunHistory.FromStore(RunStore.OpenExisting(home), runId);
        }
        catch (Exception e) when (e is FileNotFoundException or KeyNotFoundException)
        {
            return [];
        }
    }
}
