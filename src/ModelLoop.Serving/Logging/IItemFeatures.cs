using System.Text.Json;
using ModelLoop.Artifacts;

namespace ModelLoop.Serving.Logging;

/// <summary>
/// Turns one served item into the <see cref="MonitoredItem"/> drift detection compares with the package's reference
/// profile: the seam to the core's <c>ItemMonitor</c> (same members), which extracts live items with the code that
/// built the reference.
/// </summary>
internal interface IItemFeatures
{
    /// <summary>True when <see cref="Extract"/> wants the item's penultimate-layer embedding (the runner then computes it).</summary>
    bool NeedsEmbedding { get; }

    /// <param name="record">The raw record as sent, for record inputs; else null.</param>
    /// <param name="input">The item as the network saw it (after preprocessing).</param>
    /// <param name="embedding">The item's embedding when <see cref="NeedsEmbedding"/>; else null.</param>
    /// <param name="outputs">The model's raw outputs for the item.</param>
    MonitoredItem Extract(JsonElement? record, ReadOnlySpan<float> input, float[]? embedding, ReadOnlySpan<float> outputs);
}
