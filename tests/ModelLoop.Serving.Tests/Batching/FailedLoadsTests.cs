using Microsoft.Extensions.Logging.Abstractions;
using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Tests.Batching;

/// <summary>A broken version is not read again by every request, yet a fix is still picked up.</summary>
public sealed class FailedLoadsTests
{
    /// <summary>"iris" version 1, whose files are broken until <see cref="Fixed"/>; counts the loads.</summary>
    private sealed class BrokenCatalog(long? stamp) : IModelCatalog
    {
        public long? Stamp { get; set; } = stamp;
        public bool Fixed { get; set; }
        public int Loads;

        public IReadOnlyList<ModelInfo> List() => [new ModelInfo("iris", ["1"], new Dictionary<string, string>())];

        public ValueTask<string?> ResolveVersion(string name, string? versionOrAlias, CancellationToken cancellationToken) =>
            ValueTask.FromResult<string?>(name == "iris" ? "1" : null);

        public ValueTask<ServableModel?> Load(string name, string version, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Loads);
            if (!Fixed)
                throw new InvalidDataException("weights.bin does not verify (SHA-256 mismatch)");
            return ValueTask.FromResult<ServableModel?>(new ServableModel(name, version, TestModels.Tabular(1), new InputSchema([4], Modeling.InputKind.Float, null)));
        }

        public ValueTask<long?> GetChangeStamp(CancellationToken cancellationToken) => ValueTask.FromResult(Stamp);
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task A_failed_load_is_remembered_until_the_catalogs_change_stamp_moves()
    {
        var catalog = new BrokenCatalog(stamp: 7);
        await using var host = new ModelHost(catalog, NullLogger<ModelHost>.Instance);

        var first = await Assert.ThrowsAsync<ModelUnavailableException>(() => host.GetRunner("iris", null, default).AsTask());
        var again = await Assert.ThrowsAsync<ModelUnavailableException>(() => host.GetRunner("iris", null, default).AsTask());
        Assert.Equal(1, catalog.Loads);
        Assert.Equal(first.Message, again.Message);

        catalog.Fixed = true;
        catalog.Stamp = 8;
        Assert.NotNull(await host.GetRunner("iris", null, default));
        Assert.Equal(2, catalog.Loads);
    }

    [Fact]
    public async Task A_fixed_version_of_a_catalog_without_a_change_stamp_is_loaded_once_the_failure_expires()
    {
        var catalog = new BrokenCatalog(stamp: null);
        var clock = new ManualClock();
        await using var host = new ModelHost(catalog, NullLogger<ModelHost>.Instance) { FailedLoads = new FailedLoads(TimeSpan.FromSeconds(10), clock) };

        await Assert.ThrowsAsync<ModelUnavailableException>(() => host.GetRunner("iris", null, default).AsTask());
        catalog.Fixed = true;
        clock.Now += TimeSpan.FromSeconds(9);
        await Assert.ThrowsAsync<ModelUnavailableException>(() => host.GetRunner("iris", null, default).AsTask());
        Assert.Equal(1, catalog.Loads);

        clock.Now += TimeSpan.FromSeconds(2);
        Assert.NotNull(await host.GetRunner("iris", null, default));
        Assert.Equal(2, catalog.Loads);
    }
}
