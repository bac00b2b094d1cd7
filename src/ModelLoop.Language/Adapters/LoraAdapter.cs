using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.IO;
using ModelLoop.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Language.Adapters;

/// <summary>
/// A set of LoRA adapters for one base model: per targeted linear projection W (out, in), A (r, in) and B (out, r),
/// with W + (α / r) · B · A the adapted weight. Make one with <see cref="Create"/> (B = 0, so the adapted model starts
/// equal to the base), train it applied to the base (<see cref="LoraPlugin"/> applies it and freezes the base; a config's
/// language.lora runs that as a training run, <see cref="LoraFineTuning"/>), save it alone (<see cref="Save"/>, a small
/// folder that records the base's weights checksum), then either apply it unmerged on a shared base — one base, any
/// number of adapters applied in turn — or <see cref="MergeInto"/> the base for serving at no extra cost per token.
/// </summary>
public sealed class LoraAdapter : IDisposable
{
    /// <summary>The adapter's description inside its folder.</summary>
    public const string ConfigFile = "adapter_config.json";

    /// <summary>The adapter's weights inside its folder: "&lt;module&gt;.lora_A" (r, in) and ".lora_B" (out, r), float32.</summary>
    public const string WeightsFile = "adapter_model.safetensors";

    private const string SubmoduleName = "lora";
    private readonly SortedDictionary<string, LoraModule> _modules;
    private readonly List<(Linear Layer, Linear.HookRemover Hook)> _applied = [];
    private Model? _appliedTo;

    private LoraAdapter(LoraOptions options, SortedDictionary<string, LoraModule> modules, string baseChecksum, long baseParameterCount, string? baseName)
    {
        Options = options;
        _modules = modules;
        BaseChecksum = baseChecksum;
        BaseParameterCount = baseParameterCount;
        BaseName = baseName;
    }

    /// <summary>Rank, α, dropout and target patterns.</summary>
    public LoraOptions Options { get; }

    /// <summary>The base model's weights checksum (<see cref="ComputeBaseChecksum"/>); the adapter is refused on any other model.</summary>
    public string BaseChecksum { get; }

    /// <summary>Parameters of the base model (adapters excluded).</summary>
    public long BaseParameterCount { get; }

    /// <summary>What the base was called when the adapter was made (a path or registry name), for messages. Null when unknown.</summary>
    public string? BaseName { get; }

    /// <summary>The adapted modules' paths, e.g. "transformer.h.0.attn.c_attn".</summary>
    public IReadOnlyList<string> Modules => [.. _modules.Keys];

    /// <summary>Trainable parameters of the adapter: Σ r · (in + out) over the adapted modules.</summary>
    public long ParameterCount => _modules.Values.Sum(m => m.WeightA.numel() + m.WeightB.numel());

    /// <summary>Adapter parameters per base parameter: the adapter's size relative to the model it adapts.</summary>
    public double SizeRatio => (double)ParameterCount / BaseParameterCount;

    /// <summary>The adapter of each module path (A and B).</summary>
    internal IReadOnlyDictionary<string, LoraModule> Layers => _modules;

    /// <summary>Whether the adapter is currently applied (unmerged) to a model.</summary>
    public bool IsApplied => _appliedTo is not null;

    /// <summary>Whether a parameter name belongs to an adapter ("….lora.A" / "….lora.B"): what <see cref="LoraPlugin"/> leaves trainable.</summary>
    public static bool IsAdapterParameter(string parameterName) => parameterName.Contains("." + SubmoduleName + ".", StringComparison.Ordinal);

    /// <summary>
    /// Fresh adapters for every linear layer of <paramref name="baseModel"/> that <see cref="LoraOptions.Targets"/>
    /// matches: A uniform in ±1/√in (PyTorch's default for a linear layer, from torch's generator: seed it for a
    /// reproducible adapter), B zero. Not yet applied; call <see cref="ApplyTo"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options, or no linear layer matches the targets (the message lists them).</exception>
    public static LoraAdapter Create(Model baseModel, LoraOptions? options = null, string? baseName = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        options ??= new LoraOptions();
        options.Validate();
        var linears = LinearLayers(baseModel);
        var targets = linears.Where(l => options.Matches(l.Key)).ToList();
        if (targets.Count == 0)
            throw new ArgumentException($"No linear layer of the model matches the LoRA targets [{string.Join(", ", options.Targets)}]. Linear layers: {string.Join(", ", linears.Keys.Take(12))}{(linears.Count > 12 ? ", …" : "")}. Name one of these (or its ending, e.g. attn.c_attn) in LoraOptions.Targets.");
        var modules = new SortedDictionary<string, LoraModule>(StringComparer.Ordinal);
        foreach (var (path, layer) in targets)
        {
            using var scope = NewDisposeScope();
            var (outputs, inputs) = (layer.weight!.shape[0], layer.weight.shape[1]);
            var bound = 1.0 / Math.Sqrt(inputs);
            var a = rand(options.Rank, inputs) * (2 * bound) - bound;  // (r, in)
            var b = zeros(outputs, options.Rank);                       // (out, r): the update starts at zero
            modules[path] = new LoraModule(a, b, options.Scale, options.Dropout);
        }
        return new LoraAdapter(options, modules, ComputeBaseChecksum(baseModel), BaseParameters(baseModel).Sum(p => p.Parameter.numel()), baseName);
    }

    /// <summary>
    /// Applies the adapter unmerged: each adapted layer's output gains (α / r) · x · Aᵀ · Bᵀ, and the adapter's
    /// parameters join the model's (named "&lt;layer&gt;.lora.A" / ".lora.B"), so they train and are checkpointed with the
    /// model's (<see cref="LoraPlugin"/> also freezes everything else). Dispose the returned
    /// attachment to remove it. One adapter at a time per model; an adapter is applied to one model at a time.
    /// </summary>
    /// <exception cref="LoraBaseMismatchException">The model's weights are not the base's.</exception>
    /// <exception cref="InvalidOperationException">The adapter is already applied, or the model already carries an adapter.</exception>
    public LoraAttachment ApplyTo(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (_appliedTo is not null)
            throw new InvalidOperationException("This adapter is already applied to a model. Dispose that LoraAttachment first, or Load the adapter again for a second model.");
        var layers = MatchingLayers(model);
        if (layers.Any(l => l.Layer.named_children().Any(c => c.name == SubmoduleName)))
            throw new InvalidOperationException("The model already carries a LoRA adapter. Dispose its LoraAttachment before applying another (or merge it first).");
        foreach (var (path, layer) in layers)
        {
            var module = _modules[path];
            module.to(model.Device);
            layer.register_module(SubmoduleName, module);
            // call() runs the layer's forward hooks; the Gpt blocks call their projections through it.
            var hook = layer.register_forward_hook((_, input, output) => output + module.call(input));
            _applied.Add((layer, hook));
        }
        _appliedTo = model;
        return new LoraAttachment(this);
    }

    /// <summary>
    /// Adds ΔW = (α / r) · B · A to each adapted layer's weight of <paramref name="model"/>, in place: the model then
    /// computes what the base with the adapter applied computes, with no adapter left. An adapter applied to this model
    /// is removed first (its update is now in the weights). The model's checksum changes: it is a new model.
    /// </summary>
    /// <exception cref="LoraBaseMismatchException">The model's weights are not the base's.</exception>
    public void MergeInto(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (ReferenceEquals(_appliedTo, model))
            Detach();
        var layers = MatchingLayers(model);
        using var _ = no_grad();
        foreach (var (path, layer) in layers)
        {
            using var delta = _modules[path].DeltaWeight();        // (out, in)
            layer.weight!.add_(delta.to(layer.weight.dtype).to(layer.weight.device));
        }
    }

    /// <summary>
    /// Writes the adapter alone under <paramref name="directory"/>: <see cref="WeightsFile"/> then <see cref="ConfigFile"/>
    /// (which holds the weights' SHA-256), each atomically. Returns the bytes written.
    /// </summary>
    public long Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var tensors = _modules.SelectMany(p => new[]
        {
            new KeyValuePair<string, Tensor>(p.Key + ".lora_A", p.Value.WeightA),
            new KeyValuePair<string, Tensor>(p.Key + ".lora_B", p.Value.WeightB),
        });
        var bytes = SafeTensors.Serialize(tensors, new Dictionary<string, string> { ["format"] = LoraAdapterManifest.CurrentFormat });
        AtomicFile.Write(Path.Combine(directory, WeightsFile), s => s.Write(bytes));
        var manifest = new LoraAdapterManifest
        {
            Rank = Options.Rank,
            Alpha = Options.Alpha,
            Dropout = Options.Dropout,
            Targets = Options.Targets,
            Modules = Modules,
            ParameterCount = ParameterCount,
            BaseChecksum = BaseChecksum,
            BaseParameterCount = BaseParameterCount,
            BaseName = BaseName,
            WeightsSha256 = ModelArtifact.Sha256(bytes),
        };
        var json = JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), json);
        return bytes.Length + Encoding.UTF8.GetByteCount(json);
    }

    /// <summary>Reads an adapter written by <see cref="Save"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">No adapter folder at <paramref name="directory"/>.</exception>
    /// <exception cref="InvalidDataException">A missing or corrupt file, a weights checksum mismatch, or tensors that do not fit the description.</exception>
    public static LoraAdapter Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string configPath = Path.Combine(directory, ConfigFile), weightsPath = Path.Combine(directory, WeightsFile);
        if (!File.Exists(configPath) || !File.Exists(weightsPath))
            throw new DirectoryNotFoundException($"'{directory}' is not a LoRA adapter: expected {ConfigFile} and {WeightsFile} inside it, as LoraAdapter.Save (modelloop lm finetune) writes them.");
        LoraAdapterManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<LoraAdapterManifest>(File.ReadAllText(configPath))
                ?? throw new InvalidDataException($"{configPath} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{configPath} is not a valid adapter description ({e.Message}). Save the adapter again.", e);
        }
        if (manifest.Format != LoraAdapterManifest.CurrentFormat)
            throw new InvalidDataException($"{configPath} has format '{manifest.Format}'; this ModelLoop reads '{LoraAdapterManifest.CurrentFormat}'.");
        var bytes = File.ReadAllBytes(weightsPath);
        if (ModelArtifact.Sha256(bytes) != manifest.WeightsSha256)
            throw new InvalidDataException($"{weightsPath} does not match the checksum in {ConfigFile} (expected {manifest.WeightsSha256}): the files were changed or only one of them was written. Save the adapter again.");
        var options = new LoraOptions { Rank = manifest.Rank, Alpha = manifest.Alpha, Dropout = manifest.Dropout, Targets = manifest.Targets };
        options.Validate();
        var (tensors, _) = SafeTensors.Deserialize(bytes, weightsPath);
        try
        {
            var modules = new SortedDictionary<string, LoraModule>(StringComparer.Ordinal);
            foreach (var path in manifest.Modules)
            {
                if (!tensors.TryGetValue(path + ".lora_A", out var a) || !tensors.TryGetValue(path + ".lora_B", out var b)
                    || a.dim() != 2 || b.dim() != 2 || a.shape[0] != manifest.Rank || b.shape[1] != manifest.Rank)
                    throw new InvalidDataException($"{weightsPath} lacks '{path}.lora_A' ({manifest.Rank}, in) and '{path}.lora_B' (out, {manifest.Rank}), or holds them in other shapes. Save the adapter again.");
                modules[path] = new LoraModule(a, b, options.Scale, options.Dropout);
            }
            return new LoraAdapter(options, modules, manifest.BaseChecksum, manifest.BaseParameterCount, manifest.BaseName);
        }
        finally
        {
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
        }
    }

    /// <summary>
    /// The identity of a base model's weights: SHA-256 over every parameter that is not an adapter's, in name order
    /// (name, shape and float32 bytes). Equal exactly when the weights are; independent of how the model was stored.
    /// </summary>
    public static string ComputeBaseChecksum(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, parameter) in BaseParameters(model))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}[{string.Join(",", parameter.shape)}]"));
            using var values = parameter.detach().to(ScalarType.Float32).cpu().contiguous();
            hash.AppendData(values.bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Removes the adapter from the model it is applied to (see <see cref="LoraAttachment"/>).</summary>
    internal void Detach()
    {
        foreach (var (layer, hook) in _applied)
        {
            hook.remove();
            layer.register_module(SubmoduleName, null!); // TorchSharp unregisters a submodule registered as null
        }
        _applied.Clear();
        _appliedTo = null;
    }

    public void Dispose()
    {
        Detach();
        foreach (var module in _modules.Values)
            module.Dispose();
    }

    private static IEnumerable<(string Name, Parameter Parameter)> BaseParameters(Model model) =>
        model.Network.named_parameters().Where(p => !IsAdapterParameter(p.name)).OrderBy(p => p.name, StringComparer.Ordinal);

    private static SortedDictionary<string, Linear> LinearLayers(Model model) =>
        new(model.Network.named_modules().Where(m => m.module is Linear).ToDictionary(m => m.name, m => (Linear)m.module), StringComparer.Ordinal);

    /// <summary>The model's layers this adapter adapts, after checking the model is the adapter's base.</summary>
    private List<(string Path, Linear Layer)> MatchingLayers(Model model)
    {
        var checksum = ComputeBaseChecksum(model);
        if (checksum != BaseChecksum)
            throw new LoraBaseMismatchException(BaseChecksum, checksum, BaseName);
        var linears = LinearLayers(model);
        var layers = new List<(string, Linear)>();
        foreach (var (path, module) in _modules)
        {
            // Equal checksums imply equal names and shapes; this guards a hand-edited adapter_config.json.
            if (!linears.TryGetValue(path, out var layer) || layer.weight!.shape[0] != module.WeightB.shape[0] || layer.weight.shape[1] != module.WeightA.shape[1])
                throw new InvalidDataException($"The adapter's module '{path}' ({module.WeightB.shape[0]} × {module.WeightA.shape[1]}) has no linear layer of that shape in the model. The adapter does not belong to this model.");
            layers.Add((path, layer));
        }
        return layers;
    }
}
