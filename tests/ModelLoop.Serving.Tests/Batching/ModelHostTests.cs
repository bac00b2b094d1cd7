using Microsoft.Extensions.Logging.Abstractions;
using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Tests.Batching;

public sealed class ModelHostTests
{
    /// <summary>One model "iris" whose default points at <see cref="Version"/>; counts the calls the host makes.</summary>
    private sealed class CountingCatalog(long? stamp) : IModelCatalog
    {
        public string Version { get; set; } = "1";
        public long? Stamp { get; set; } = stamp;
        public int Resolves;

        public IReadOnlyList<ModelInfo> List() => [new ModelInfo("iris", ["1", "2"], new Dictionary<string, string>())];

        public ValueTask<string?> ResolveVersion(string name, string? versionOrAlias, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Resolves);
            return ValueTask.FromResult<string?>(name == "iris" ? Version : null);
        }

        public ValueTask<ServableModel?> Load(string name, string version, CancellationToken cancellationToken) =>
            ValueTask.FromResult<ServableModel?>(new ServableModel(name, version, TestModels.Tabular(version == "1" ? 1 : 2), new InputSchema([4], Modeling.InputKind.Float, null)));

        public ValueTask<long?> GetChangeStamp(CancellationToken cancellationToken) => ValueTask.FromResult(Stamp);
    }

    [Fact]
    public async Task RefreshReResolvesOnlyWhenTheCatalogsChangeStampMoved()
    {
        var catalog = new CountingCatalog(stamp: 7);
        await using var host = new ModelHost(catalog, NullLogger<ModelHost>.Instance);
        Assert.Equal("1", (await host.GetRunner("iris", null, default))!.Model.Version);
        await host.Refresh(default); // the key was new since the last refresh: resolved once more
        var resolves = catalog.Resolves;

        catalog.Version = "2"; // moved without the stamp moving: not looked at
        await host.Refresh(default);
        await host.Refresh(default);
        Assert.Equal(resolves, catalog.Resolves);
        Assert.Equal("1", (await host.GetRunner("iris", null, default))!.Model.Version);

        catalog.Stamp = 8;
        await host.Refresh(default);
        Assert.Equal(resolves + 1, catalog.Resolves);
        Assert.Equal("2", (await host.GetRunner("iris", null, default))!.Model.Version);
    }

    [Fact]
    public async Task ACatalogWithoutAChangeStampIsReResolvedOnEveryRefresh()
    {
        var catalog = new CountingCatalog(stamp: null);
        await using var host = new ModelHost(catalog, NullLogger<ModelHost>.Instance);
        await host.GetRunner("iris", null, default);
        var resolves = catalog.Resolves;

        await host.Refresh(default);
        await host.Refresh(default);

        Assert.Equal(resolves + 2, catalog.Resolves);
    }
}
