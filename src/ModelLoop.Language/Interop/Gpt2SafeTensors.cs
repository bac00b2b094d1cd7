using System.Text.RegularExpressions;
using ModelLoop.Artifacts;
using ModelLoop.IO;
using ModelLoop.Language.Adapters;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Zoo;
using TorchSharp;
using static TorchSharp.torch;
using Gpt = ModelLoop.Modeling.Layers.Gpt;

namespace ModelLoop.Language.Interop;

/// <summary>
/// Reads and writes GPT-2-layout safetensors files (Hugging Face's names: wte, wpe, h.N.ln_1, h.N.attn.c_attn,
/// h.N.attn.c_proj, h.N.ln_2, h.N.mlp.c_fc, h.N.mlp.c_proj, ln_f; optionally under "transformer.") into and out of a
/// <see cref="SequenceZoo.Gpt"/> model, whose parameter names are the same below its "transformer" layer. GPT-2's
/// projections are Conv1D layers that store their weight as [in, out], the transpose of a linear layer's [out, in]:
/// those four weights are transposed each way. The head is tied to wte, so no lm_head is read or written. The file's
/// bytes go through the core's <see cref="SafeTensors"/> (no NuGet package reads the format; see there); F16 and BF16
/// tensors are converted to float32.
/// </summary>
public static partial class Gpt2SafeTensors
{
    /// <summary>The prefix GPT2LMHeadModel's checkpoints put before the transformer's names.</summary>
    public const string TransformerPrefix = "transformer.";

    private static readonly string[] Conv1DWeights = ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"];

    /// <summary>
    /// A GPT model with the weights of <paramref name="path"/>. Sizes come from <paramref name="config"/> (Hugging Face's
    /// config.json, <see cref="Gpt2Config.Load"/>), or else from the tensors' shapes with <paramref name="heads"/> given
    /// (the one size a file does not show). Strict loading refuses a file with missing, unexpected or mis-shaped tensors;
    /// non-strict loading keeps the initial values of what is missing and reports everything.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ArgumentException">Neither a config nor the number of heads.</exception>
    /// <exception cref="Gpt2WeightsException">Strict, and the file does not fit; its report lists what differs.</exception>
    public static (Sequential Model, Gpt2LoadReport Report) Load(string path, Gpt2Config? config = null, int? heads = null, bool strict = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Weights file '{path}' does not exist; pass a GPT-2-layout .safetensors file.", path);
        var (tensors, _) = SafeTensors.Deserialize(File.ReadAllBytes(path), path);
        try
        {
            var prefix = tensors.Keys.Any(k => k.StartsWith(TransformerPrefix, StringComparison.Ordinal)) ? TransformerPrefix : "";
            config ??= InferConfig(tensors, prefix, heads ?? throw new ArgumentException($"Loading '{path}' needs the model's sizes: pass its config.json (Gpt2Config.Load) or the number of attention heads (the other sizes are read from the tensors' shapes).", nameof(heads)), path);
            config.Validate(path);
            var model = SequenceZoo.Gpt(config.VocabularySize, config.BlockSize, config.Layers, config.Heads, config.Width);
            try
            {
                var report = Copy(model, tensors, prefix);
                if (strict && !report.IsComplete)
                    throw new Gpt2WeightsException(path, report);
                return (model, report);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
        }
    }

    /// <summary>
    /// Writes <paramref name="model"/> (a <see cref="SequenceZoo.Gpt"/> model with biases, no adapter applied) as
    /// GPT-2-layout safetensors at <paramref name="path"/>, atomically, in <paramref name="dtype"/> (Float32, Float16 or
    /// BFloat16), names under <paramref name="prefix"/> (Defaults to "", GPT2Model's layout), with the metadata
    /// format = pt that Hugging Face's loader expects. Returns the sizes, for a config.json beside it.
    /// </summary>
    /// <exception cref="ArgumentException">Not a single-Gpt model, a Gpt without biases, an adapter still applied, or another dtype.</exception>
    public static Gpt2Config Save(Model model, string path, ScalarType dtype = ScalarType.Float32, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (dtype is not (ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16))
            throw new ArgumentException($"GPT-2 safetensors are written as Float32, Float16 or BFloat16; received {dtype}.", nameof(dtype));
        var config = ConfigOf(model);
        var named = model.Network.named_parameters().ToList();
        if (named.Any(p => LoraAdapter.IsAdapterParameter(p.name)))
            throw new ArgumentException("The model carries an applied LoRA adapter; GPT-2's layout has no place for it. Merge it (LoraAdapter.MergeInto) or remove it (dispose its LoraAttachment) before saving.", nameof(model));
        using var scope = NewDisposeScope();
        var tensors = named.Select(p =>
        {
            var name = p.name[(p.name.IndexOf('.') + 1)..]; // below the Gpt layer's own name
            var value = IsConv1DWeight(name) ? p.parameter.detach().t() : p.parameter.detach(); // Conv1D: [in, out]
            return new KeyValuePair<string, Tensor>(prefix + name, value.to(dtype).contiguous());
        });
        var bytes = SafeTensors.Serialize(tensors, new Dictionary<string, string> { ["format"] = "pt" });
        AtomicFile.Write(path, s => s.Write(bytes));
        return config;
    }

    /// <summary>The GPT-2 sizes of a <see cref="SequenceZoo.Gpt"/> model.</summary>
    /// <exception cref="ArgumentException">The model is not one Gpt layer with biases.</exception>
    public static Gpt2Config ConfigOf(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not Sequential { Layers: [Gpt gpt] } || model.InputShape.Rank != 1)
            throw new ArgumentException($"GPT-2's layout holds a model made of one Gpt layer (SequenceZoo.Gpt); received a model with layers {string.Join(", ", (model as Sequential)?.Layers.Select(l => l.GetType().Name) ?? ["(not sequential)"])}.", nameof(model));
        if (!gpt.Bias)
            throw new ArgumentException("This Gpt has no biases (Bias = false); GPT-2's layout has biases in every linear layer and LayerNorm. Build the model with bias: true to exchange it with GPT-2 tools.", nameof(model));
        return new Gpt2Config(gpt.VocabularySize, (int)model.InputShape[0], gpt.Layers, gpt.Heads, gpt.Width);
    }

    /// <summary>Sizes read from the tensors' shapes: wte (vocab, width), wpe (positions, width), and the highest h.N.</summary>
    private static Gpt2Config InferConfig(Dictionary<string, Tensor> tensors, string prefix, int heads, string source)
    {
        if (!tensors.TryGetValue(prefix + "wte.weight", out var wte) || !tensors.TryGetValue(prefix + "wpe.weight", out var wpe) || wte.dim() != 2 || wpe.dim() != 2)
            throw new Gpt2WeightsException(source, new Gpt2LoadReport { Prefix = prefix, Missing = [prefix + "wte.weight (vocab, width)", prefix + "wpe.weight (positions, width)"] });
        var layers = tensors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => BlockName().Match(k[prefix.Length..])).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1).DefaultIfEmpty(0).Max();
        return new Gpt2Config((int)wte.shape[0], (int)wpe.shape[0], layers, heads, (int)wte.shape[1]);
    }

    private static Gpt2LoadReport Copy(Sequential model, Dictionary<string, Tensor> tensors, string prefix)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        List<string> missing = [], ignored = [];
        List<TensorShapeMismatch> mismatched = [];
        var loaded = 0;
        using (no_grad())
        {
            foreach (var (ourName, parameter) in model.Network.named_parameters())
            {
                var name = ourName[(ourName.IndexOf('.') + 1)..];
                var key = prefix + name;
                var transposed = IsConv1DWeight(name);
                long[] expected = transposed ? [.. parameter.shape.Reverse()] : parameter.shape;
                if (!tensors.TryGetValue(key, out var tensor))
                {
                    missing.Add(key);
                    continue;
                }
                used.Add(key);
                if (!tensor.shape.SequenceEqual(expected))
                {
                    mismatched.Add(new TensorShapeMismatch(key, expected, tensor.shape));
                    continue;
                }
                using var value = tensor.to(ScalarType.Float32);
                parameter.copy_(transposed ? value.t() : value);
                loaded++;
            }
        }
        foreach (var key in tensors.Keys.Where(k => !used.Contains(k)))
        {
            // GPT-2's causal-mask buffers carry no weights; lm_head is wte again (tied).
            if (key == "lm_head.weight" || key == prefix + "lm_head.weight" || (key.StartsWith(prefix, StringComparison.Ordinal) && MaskBuffer().IsMatch(key[prefix.Length..])))
                ignored.Add(key);
        }
        var unexpected = tensors.Keys.Where(k => !used.Contains(k) && !ignored.Contains(k)).Order(StringComparer.Ordinal).ToList();
        return new Gpt2LoadReport
        {
            Prefix = prefix,
            DTypes = [.. tensors.Values.Select(t => SafeTensors.DTypeName(t.dtype)).Distinct().Order(StringComparer.Ordinal)],
            Loaded = loaded,
            Missing = missing,
            Unexpected = unexpected,
            Mismatched = mismatched,
            Ignored = ignored,
        };
    }

    private static bool IsConv1DWeight(string name) => Conv1DWeights.Any(w => name.EndsWith(w, StringComparison.Ordinal));

    [GeneratedRegex(@"^h\.(\d+)\.")]
    private static partial Regex BlockName();

    [GeneratedRegex(@"^h\.\d+\.attn\.(bias|masked_bias)$")]
    private static partial Regex MaskBuffer();
}
