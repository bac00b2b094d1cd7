using ModelLoop.Serving.Catalog;
using ModelLoop.Serving.Tests.Batching;

namespace ModelLoop.Serving.Tests.Api;

/// <summary>A catalog of one model, "sum" version 1, computed by <paramref name="backend"/> (the test opens its gate).</summary>
internal sealed class GatedCatalog(GatedBackend backend) : IModelCatalog
{
    public IReadOnlyList<ModelInfo> List() => [new ModelInfo("sum", ["1"], new Dictionary<string, string>())];

    public ValueTask<string?> ResolveVersion(string name, string? versionOrAlias, CancellationToken cancellationToken) =>
        ValueTask.FromResult<string?>(name == "sum" && versionOrAlias is null or "1" ? "1" : null);

    public ValueTask<ServableModel?> Load(string name, string version, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ServableModel?>(new ServableModel(name, version, backend, new InputSchema([2], Modeling.InputKind.Float, null), null,
            new BatchingOptions { MaxBatchSize = 1 }));
}
