namespace ModelLoop.Serving.Language;

/// <summary>
/// Settings of the OpenAI-compatible language-model endpoints (/v1/completions, /v1/chat/completions), bound from the
/// configuration section <c>Serving:Language</c>.
/// </summary>
public sealed record LanguageServingOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "Serving:Language";

    /// <summary>
    /// A folder of language-model packages (<see cref="ModelLoop.Language.Packaging.LanguageModelPackage"/>), read by
    /// <see cref="LanguageModelFolderCatalog"/>: <c>NAME/VERSION/</c> or <c>NAME/</c> (one version, "1"). Null serves no
    /// language model from a folder (see <see cref="RegistryHome"/> for the registry's). Defaults to null.
    /// </summary>
    public string? ModelsPath { get; init; }

    /// <summary>
    /// A model registry's home whose language models are served (<see cref="RegistryLanguageModelCatalog"/>: versions
    /// registered by <c>lm train --register</c>), by name, version or alias, a moved alias served from the next request
    /// on. Null: the registry of <c>Serving:RegistryHome</c>, when the server serves one. With <see cref="ModelsPath"/>
    /// too, a name in the folder is served from the folder. Defaults to null.
    /// </summary>
    public string? RegistryHome { get; init; }

    /// <summary>Sequences one model version decodes together (continuous batching); more wait. Defaults to 16.</summary>
    public int MaxSequences { get; init; } = 16;

    /// <summary>Sequences that may wait for a row per model version; past it requests get 429. Defaults to 256.</summary>
    public int MaxWaiting { get; init; } = 256;

    /// <summary>The largest <c>max_tokens</c> a request may ask for (the model's block size bounds it too). Defaults to 1024.</summary>
    public int MaxTokensLimit { get; init; } = 1024;

    /// <summary><c>max_tokens</c> when a request gives none (lowered to what the context leaves). Defaults to 16, as OpenAI's completions.</summary>
    public int DefaultMaxTokens { get; init; } = 16;

    /// <summary>The largest <c>n</c> (choices per request). Defaults to 8.</summary>
    public int MaxChoices { get; init; } = 8;

    /// <summary>Model versions kept loaded (each with its scheduler); the least recently used idle one is unloaded past it. Defaults to 4.</summary>
    public int MaxLoadedVersions { get; init; } = 4;
}
