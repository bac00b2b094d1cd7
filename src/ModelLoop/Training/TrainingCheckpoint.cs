using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelLoop.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>
/// The full state of a <c>Fit</c> after an epoch, in one file written atomically: a header (format,
/// model fingerprint, epochs done, seed, learning rate, history, callback and step-plugin state), the weights, the
/// optimizer state and the RNG state. A run killed at any moment resumes from the last complete epoch and
/// ends where an uninterrupted run would.
/// </summary>
internal static class TrainingCheckpoint
{
    private const string Magic = "MODELLOOP-CHECKPOINT";
    private const int FormatVersion = 1;
    // History can hold NaN (a metric undefined on the validation data); System.Text.Json's defaults throw on it.
    private static readonly JsonSerializerOptions HeaderJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <param name="ParameterGroups">The optimizer's groups (names and sizes); null in files written before groups existed.</param>
    /// <param name="PluginStates">Step plugins' state by key; null in files written before plugins kept state.</param>
    internal sealed record Header(int EpochsCompleted, long Seed, double BaseLearningRate, string ModelFingerprint,
        List<Dictionary<string, double>> History, Dictionary<string, JsonNode?> CallbackStates, string? ParameterGroups = null,
        Dictionary<string, JsonNode?>? PluginStates = null)
    {
        /// <summary>Step plugins' tensors by key, read from the file (not part of the JSON header).</summary>
        [System.Text.Json.Serialization.JsonIgnore]
        public Dictionary<string, Dictionary<string, Tensor>> PluginTensors { get; } = [];
    }

    /// <summary>Marks a tensor entry as a step plugin's rather than a callback's.</summary>
    private const string PluginPrefix = "plugin/";

    public static void Save(string path, Model model, TorchSharp.Modules.OptimizerHelper optimizer, IReadOnlyList<OptimizerGroup> groups,
        IReadOnlyList<Callback> callbacks, IReadOnlyList<StepPlugin> plugins, History history, int epochsCompleted, double baseLearningRate)
    {
        var header = new Header(epochsCompleted, history.Seed, baseLearningRate, Fingerprint(model),
            history.Epochs.Select(e => e.ToDictionary()).ToList(),
            callbacks.Select((c, i) => (Key: Key(c, i), State: c.SaveState())).Where(p => p.State is not null).ToDictionary(p => p.Key, p => p.State),
            Layout(groups),
            plugins.Select((p, i) => (Key: Key(p, i), State: p.SaveState())).Where(p => p.State is not null).ToDictionary(p => p.Key, p => p.State));
        IO.AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(JsonSerializer.Serialize(header, HeaderJson));
            model.Network.save(writer);
            optimizer.save_state_dict(writer);
            using var rng = torch.random.get_rng_state();
            var bytes = rng.data<byte>().ToArray();
            writer.Write(bytes.Length);
            writer.Write(bytes);
            var withTensors = callbacks.Select((c, i) => (Key: Key(c, i), Tensors: c.SaveTensors()))
                .Concat(plugins.Select((p, i) => (Key: PluginPrefix + Key(p, i), Tensors: p.SaveTensors())))
                .Where(p => p.Tensors is not null).ToList();
            writer.Write(withTensors.Count);
            foreach (var (key, tensors) in withTensors)
            {
                writer.Write(key);
                writer.Write(tensors!.Count);
                foreach (var (name, value) in tensors)
                {
                    writer.Write(name);
                    WriteTensor(writer, value);
                }
            }
        });
    }

    public static Header Load(string path, Model model, TorchSharp.Modules.OptimizerHelper optimizer, IReadOnlyList<OptimizerGroup> groups,
        IReadOnlyList<Callback> callbacks, History history)
    {
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        Header header;
        try
        {
            if (reader.ReadString() != Magic)
                throw new InvalidDataException("wrong magic");
            var version = reader.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidDataException($"format version {version}, expected {FormatVersion}");
            header = JsonSerializer.Deserialize<Header>(reader.ReadString(), HeaderJson) ?? throw new InvalidDataException("empty header");
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or JsonException or IOException)
        {
            throw new InvalidDataException($"'{path}' is not a ModelLoop checkpoint ({e.Message}). Delete it or point CheckpointPath elsewhere to start fresh.", e);
        }
        if (header.ModelFingerprint != Fingerprint(model))
            throw new InvalidDataException($"Checkpoint '{path}' was written by a different model architecture. Resume with the model that wrote it, or delete the file to start fresh.");
        // The optimizer state is stored group by group: another grouping would load one group's state into another's.
        if (header.ParameterGroups is { } saved && saved != Layout(groups))
            throw new InvalidDataException(
                $"Checkpoint '{path}' was written with the parameter groups [{saved}]; this run has [{Layout(groups)}]. " +
                "Resume with the CompileOptions.Trainable and ParameterGroups that wrote it, or delete the file to start fresh.");
        model.Network.load(reader, strict: true);
        optimizer.load_state_dict(reader);
        var bytes = reader.ReadBytes(reader.ReadInt32());
        using (var rng = tensor(bytes, dtype: ScalarType.Byte))
            torch.random.set_rng_state(rng);
        history.Seed = header.Seed;
        foreach (var epoch in header.History)
            history.Add(epoch);
        for (var i = 0; i < callbacks.Count; i++)
        {
            if (header.CallbackStates.TryGetValue(Key(callbacks[i], i), out var state) && state is not null)
                callbacks[i].LoadState(state);
        }
        var tensorEntries = reader.ReadInt32();
        for (var e = 0; e < tensorEntries; e++)
        {
            var key = reader.ReadString();
            var count = reader.ReadInt32();
            var tensors = new Dictionary<string, Tensor>();
            for (var t = 0; t < count; t++)
                tensors[reader.ReadString()] = ReadTensor(reader);
            if (key.StartsWith(PluginPrefix, StringComparison.Ordinal))
            {
                header.PluginTensors[key[PluginPrefix.Length..]] = tensors; // handed over by ApplyPluginState
                continue;
            }
            var index = Enumerable.Range(0, callbacks.Count).FirstOrDefault(i => Key(callbacks[i], i) == key, -1);
            if (index >= 0)
                callbacks[index].LoadTensors(tensors);
            else
                tensors.Values.ToList().ForEach(v => v.Dispose());
        }
        return header;
    }

    /// <summary>
    /// Gives the step plugins the state a checkpoint held for them; called after their <see cref="StepPlugin.OnTrainBegin"/>.
    /// Tensors of plugins the run no longer has are freed.
    /// </summary>
    public static void ApplyPluginState(Header header, IReadOnlyList<StepPlugin> plugins)
    {
        for (var i = 0; i < plugins.Count; i++)
        {
            var key = Key(plugins[i], i);
            if (header.PluginStates?.TryGetValue(key, out var state) == true && state is not null)
                plugins[i].LoadState(state);
            if (header.PluginTensors.Remove(key, out var tensors))
                plugins[i].LoadTensors(tensors);
        }
        foreach (var left in header.PluginTensors.Values)
            left.Values.ToList().ForEach(v => v.Dispose());
        header.PluginTensors.Clear();
    }

    private static string Layout(IReadOnlyList<OptimizerGroup> groups) =>
        string.Join("; ", groups.Select(g => $"{g.Name}: {g.Parameters.Count} parameter tensor(s)"));

    /// <summary>Callback state is matched by position and type among the caller's callbacks.</summary>
    private static string Key(Callback callback, int index) => $"{index}:{callback.GetType().FullName}";

    /// <summary>Plugin state is matched by position and type among the caller's plugins.</summary>
    private static string Key(StepPlugin plugin, int index) => $"{index}:{plugin.GetType().FullName}";

    private static void WriteTensor(BinaryWriter writer, Tensor value)
    {
        using var cpu = value.detach().cpu().contiguous();
        writer.Write((int)cpu.dtype);
        writer.Write((int)cpu.dim());
        foreach (var d in cpu.shape)
            writer.Write(d);
        var bytes = cpu.bytes;
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static Tensor ReadTensor(BinaryReader reader)
    {
        var dtype = (ScalarType)reader.ReadInt32();
        var shape = new long[reader.ReadInt32()];
        for (var i = 0; i < shape.Length; i++)
            shape[i] = reader.ReadInt64();
        var result = empty(shape, dtype);
        result.bytes = reader.ReadBytes(reader.ReadInt32());
        return result;
    }

    private static string Fingerprint(Model model) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(model.ToSpec().ToJson())));
}
