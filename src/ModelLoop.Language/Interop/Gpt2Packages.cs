using ModelLoop.IO;
using ModelLoop.Language.Packaging;
using ModelLoop.Language.Tokenization;
using static TorchSharp.torch;

namespace ModelLoop.Language.Interop;

/// <summary>
/// GPT-2-layout safetensors to and from language-model packages: what <c>modelloop lm import</c> and <c>lm export</c> run.
/// An exported folder is laid out as Hugging Face's GPT-2 repositories are: model.safetensors, config.json, and the
/// tokenizer's vocab.json (+ merges.txt).
/// </summary>
public static class Gpt2Packages
{
    /// <summary>The weights file of an exported folder.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>The sizes file of an exported folder (Hugging Face's config.json).</summary>
    public const string ConfigFile = "config.json";

    /// <summary>
    /// Loads <paramref name="weightsPath"/> (sizes from <paramref name="config"/> or, with <paramref name="heads"/>, from the
    /// tensors) and writes a package with the tokenizer saved at <paramref name="tokenizerDirectory"/>.
    /// </summary>
    /// <exception cref="Gpt2WeightsException">Strict, and the file does not fit the sizes.</exception>
    /// <exception cref="ArgumentException">The tokenizer's vocabulary is larger than the model's.</exception>
    public static Gpt2LoadReport Import(string weightsPath, string tokenizerDirectory, string outputPackage, Gpt2Config? config = null, int? heads = null, bool strict = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenizerDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPackage);
        var tokenizer = TextTokenizers.Load(tokenizerDirectory);
        var (model, report) = Gpt2SafeTensors.Load(weightsPath, config, heads, strict);
        using (model)
        {
            var vocabulary = model.OutputShape[1];
            if (tokenizer.VocabularySize > vocabulary)
                throw new ArgumentException($"The tokenizer in '{tokenizerDirectory}' has {tokenizer.VocabularySize} tokens but the weights' vocabulary (wte) holds {vocabulary}. Pass the tokenizer these weights were trained with.", nameof(tokenizerDirectory));
            LanguageModelPackage.Save(model, tokenizer, outputPackage);
        }
        return report;
    }

    /// <summary>
    /// Writes the package at <paramref name="package"/> as a GPT-2 folder under <paramref name="outputDirectory"/>:
    /// <see cref="WeightsFile"/> in <paramref name="dtype"/>, <see cref="ConfigFile"/>, and the tokenizer's files. Returns the sizes.
    /// </summary>
    public static Gpt2Config Export(string package, string outputDirectory, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(package);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        using var loaded = LanguageModelPackage.Load(package);
        Directory.CreateDirectory(outputDirectory);
        var config = Gpt2SafeTensors.Save(loaded.Model, Path.Combine(outputDirectory, WeightsFile), dtype);
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, ConfigFile), config.ToJson());
        foreach (var file in Directory.EnumerateFiles(Path.Combine(package, LanguageModelPackage.TokenizerFolder)))
        {
            var bytes = File.ReadAllBytes(file);
            AtomicFile.Write(Path.Combine(outputDirectory, Path.GetFileName(file)), s => s.Write(bytes));
        }
        return config;
    }
}
