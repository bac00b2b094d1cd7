using ModelLoop.Artifacts;
using ModelLoop.Registry;

namespace ModelLoop.Language.Packaging;

/// <summary>
/// Language models in the <see cref="ModelRegistry"/>: a registered version is one model artifact that carries the
/// tokenizer too (<see cref="LanguageModelPackage.ToArtifact"/>: both checksummed in one manifest, verified at every
/// load like any registered artifact), tagged <see cref="KindTag"/> = <see cref="Kind"/>, so `lm generate NAME:ALIAS`,
/// `lm eval`, the promotion gate and the server read it back whole. <c>lm train --register</c> and
/// <c>lm finetune --register</c> register through <see cref="Register"/>.
/// </summary>
public static class LanguageModelRegistration
{
    /// <summary>The registry tag that marks a version as a language model.</summary>
    public const string KindTag = "kind";

    /// <summary>The value of <see cref="KindTag"/> on a language model's versions.</summary>
    public const string Kind = "language-model";

    /// <summary>
    /// Registers the language-model package at <paramref name="packagePath"/> (a <see cref="LanguageModelPackage"/>
    /// folder or a run folder of <c>lm train</c>) as the next version of <paramref name="name"/>, model and tokenizer
    /// in one artifact, with the options' aliases, tags and description in the same transaction.
    /// </summary>
    /// <param name="options">Aliases, tags, description, encryption and signing key, as for any registration. Defaults to none.</param>
    /// <exception cref="DirectoryNotFoundException">No package at <paramref name="packagePath"/>.</exception>
    /// <exception cref="InvalidDataException">The package does not verify, or its tokenizer does not fit its model.</exception>
    public static ModelVersion Register(ModelRegistry registry, string name, string packagePath, RegisterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(packagePath);
        ModelRegistry.CheckName(name);
        options ??= new RegisterOptions();
        using var package = LanguageModelPackage.Load(packagePath);
        // Written outside the registry: Register verifies and copies it in, so a failure leaves no half version behind.
        var staging = Directory.CreateTempSubdirectory("modelloop-lm-register-");
        try
        {
            var artifact = Path.Combine(staging.FullName, "artifact");
            package.ToArtifact(artifact, new ArtifactSaveOptions { EncryptionKey = options.EncryptionKey });
            var tags = new Dictionary<string, string>(options.Tags) { [KindTag] = Kind };
            return registry.Register(name, artifact, options with { Tags = tags });
        }
        finally
        {
            staging.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Loads a registered language model — NAME with a version ("3"), an alias ("champion") or null (the registry's
    /// default: production, else the newest) — verified against the manifest recorded at registration.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such model, version or alias.</exception>
    /// <exception cref="InvalidDataException">The version does not verify, or it is not a language model (no tokenizer).</exception>
    public static LanguageModelPackage Load(ModelRegistry registry, string name, string? versionOrAlias = null, ArtifactLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var version = registry.GetVersionOrDefault(name, versionOrAlias);
        return LanguageModelPackage.FromArtifact(registry.Load(name, version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), options));
    }

    /// <summary>Whether a registered version is a language model (registered through <see cref="Register"/>).</summary>
    public static bool IsLanguageModel(ModelVersion version) =>
        version is not null && version.Tags.TryGetValue(KindTag, out var kind) && kind == Kind;
}
