using static TorchSharp.torch;

namespace ModelLoop.Modeling;

/// <summary>
/// Transfer learning's partial load: copies into a new model every parameter and buffer (BatchNorm statistics) of a
/// trained model that has the same name and shape, and reports what was loaded, what was skipped because the shapes
/// differ (a replaced head) and what keeps its fresh initialization (new layers). Names are the network's, e.g.
/// "dense_2.weight" or "conv2d_1.op.weight", so layers match when they have the same automatic or given name.
/// </summary>
public static class WeightTransfer
{
    /// <summary>Copies what fits from <paramref name="source"/> into <paramref name="target"/> (in place) and says what it did.</summary>
    public static WeightTransferReport Load(Model target, Model source)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        var from = source.Network.state_dict();
        var into = target.Network.state_dict();
        var loaded = new List<string>();
        var skipped = new List<WeightMismatch>();
        var fresh = new List<string>();
        using (no_grad())
        {
            foreach (var (name, tensor) in into)
            {
                if (!from.TryGetValue(name, out var weights))
                {
                    fresh.Add(name);
                    continue;
                }
                if (!weights.shape.SequenceEqual(tensor.shape) || weights.dtype != tensor.dtype)
                {
                    skipped.Add(new WeightMismatch(name, new Shape(weights.shape), new Shape(tensor.shape)));
                    continue;
                }
                tensor.copy_(weights);
                loaded.Add(name);
            }
        }
        var unused = from.Keys.Where(name => !into.ContainsKey(name)).ToArray();
        return new WeightTransferReport(loaded, skipped, fresh, unused);
    }
}
