using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelLoop.Modeling.Layers;

namespace ModelLoop.Language.Interop;

/// <summary>
/// The sizes of a GPT-2-layout model, as Hugging Face's config.json states them (vocab_size, n_positions, n_layer,
/// n_head, n_embd). ModelLoop's <see cref="Gpt"/> is GPT-2's architecture with LayerNorm ε = 1e-5, GELU with the tanh
/// approximation ("gelu_new") and an MLP of 4 × width; a config that asks for anything else is refused on load.
/// </summary>
/// <param name="VocabularySize">vocab_size: rows of wte.</param>
/// <param name="BlockSize">n_positions: rows of wpe, the longest context.</param>
/// <param name="Layers">n_layer: blocks h.0 … h.(n−1).</param>
/// <param name="Heads">n_head: attention heads; must divide the width.</param>
/// <param name="Width">n_embd: embedding and residual width.</param>
public sealed record Gpt2Config(int VocabularySize, int BlockSize, int Layers, int Heads, int Width)
{
    /// <summary>The <see cref="Gpt"/> layer of these sizes (with biases, as GPT-2 has them).</summary>
    public Gpt ToLayer(double dropout = 0.0) => new(VocabularySize, Layers, Heads, Width, dropout, Bias: true);

    /// <summary>Reads a Hugging Face GPT-2 config.json.</summary>
    /// <exception cref="InvalidDataException">A missing size, or an architecture ModelLoop's Gpt does not compute (the message names the field).</exception>
    public static Gpt2Config Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path} is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({e.Message}). Pass Hugging Face's config.json of a GPT-2 model.", e);
        }
        int Size(string field, string? alternative = null)
        {
            var node = json[field] ?? (alternative is null ? null : json[alternative]);
            return node is JsonValue value && value.TryGetValue<int>(out var size) && size > 0
                ? size
                : throw new InvalidDataException($"{path}: '{field}' must be a positive integer; received {node?.ToJsonString() ?? "nothing"}. A GPT-2 config.json states vocab_size, n_positions, n_layer, n_head and n_embd.");
        }
        var config = new Gpt2Config(Size("vocab_size"), Size("n_positions", "n_ctx"), Size("n_layer"), Size("n_head"), Size("n_embd"));
        if (json["layer_norm_epsilon"] is JsonValue eps && Math.Abs(eps.GetValue<double>() - 1e-5) > 1e-12)
            throw new InvalidDataException($"{path}: layer_norm_epsilon is {eps.GetValue<double>().ToString(CultureInfo.InvariantCulture)}; ModelLoop's Gpt uses GPT-2's 1e-5 and would compute different outputs.");
        if (json["activation_function"] is JsonValue activation && activation.GetValue<string>() is not ("gelu_new" or "gelu_pytorch_tanh" or "gelu_fast"))
            throw new InvalidDataException($"{path}: activation_function is '{activation.GetValue<string>()}'; ModelLoop's Gpt uses GELU with the tanh approximation (gelu_new, GPT-2's).");
        if (json["n_inner"] is JsonValue inner && inner.GetValue<int>() != 4 * config.Width)
            throw new InvalidDataException($"{path}: n_inner is {inner.GetValue<int>()}; ModelLoop's Gpt has an MLP of 4 × n_embd = {4 * config.Width} (n_inner null).");
        config.Validate(path);
        return config;
    }

    /// <summary>Hugging Face's config.json for these sizes (GPT2LMHeadModel, tied head).</summary>
    public string ToJson() => new JsonObject
    {
        ["architectures"] = new JsonArray("GPT2LMHeadModel"),
        ["model_type"] = "gpt2",
        ["vocab_size"] = VocabularySize,
        ["n_positions"] = BlockSize,
        ["n_ctx"] = BlockSize,
        ["n_layer"] = Layers,
        ["n_head"] = Heads,
        ["n_embd"] = Width,
        ["n_inner"] = null,
        ["activation_function"] = "gelu_new",
        ["layer_norm_epsilon"] = 1e-5,
        ["tie_word_embeddings"] = true,
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    internal void Validate(string source)
    {
        if (VocabularySize < 1 || BlockSize < 1 || Layers < 1 || Heads < 1 || Width < 1 || Width % Heads != 0)
            throw new InvalidDataException($"{source}: GPT-2 sizes must be positive with n_head dividing n_embd; received vocab_size={VocabularySize}, n_positions={BlockSize}, n_layer={Layers}, n_head={Heads}, n_embd={Width}.");
    }
}
