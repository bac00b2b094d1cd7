namespace ModelLoop.Modeling;

/// <summary>What <see cref="WeightTransfer.Load"/> did, tensor by tensor (parameters and buffers, by network name).</summary>
/// <param name="Loaded">Copied from the source: same name, same shape.</param>
/// <param name="Skipped">Same name, another shape (e.g. a head with another class count): kept freshly initialized.</param>
/// <param name="New">Only in the target: kept freshly initialized.</param>
/// <param name="Unused">Only in the source: not used.</param>
public sealed record WeightTransferReport(IReadOnlyList<string> Loaded, IReadOnlyList<WeightMismatch> Skipped, IReadOnlyList<string> New, IReadOnlyList<string> Unused)
{
    /// <summary>One line per kind, e.g. "loaded 4: conv2d_1.op.weight, …; skipped 2 (shape): dense_2.weight (10, 128) → (2, 128), …; new 0".</summary>
    public override string ToString() =>
        $"{List("loaded", Loaded)}; {List("skipped", Skipped.Select(s => $"{s.Name} {s.SourceShape} → {s.TargetShape}").ToList(), " (shape)")}; {List("new", New)}" +
        (Unused.Count > 0 ? $"; {List("unused", Unused)}" : "");

    private static string List(string kind, IReadOnlyList<string> names, string note = "") =>
        names.Count == 0 ? $"{kind} 0" : $"{kind} {names.Count}{note}: {string.Join(", ", names)}";
}
