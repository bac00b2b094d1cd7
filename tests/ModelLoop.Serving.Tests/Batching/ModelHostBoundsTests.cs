using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Tests.Batching;

public sealed class ModelHostBoundsTests
{
    /// <summary>"iris" with versions 1…20, its default at version 1.</summary>
    private sealed class ManyVersions : IModelCatalog
    {
        public IReadOnlyList<ModelInfo> List() => [new ModelInfo("iris", Enumerable.Range(1, 20).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), new Dictionary<string, string>())];

        public ValueTask<string?> ResolveVersion(string name, string? versionOrAlias, CancellationToken cancellationToken) =>
            ValueTask.FromResult(versionOrAlias is null ? "1" : int.TryParse(versionOrAlias, out var v) && v is >= 1 and <= 20 ? versionOrAlias : null);

        public ValueTask<ServableModel?> Load(string name, string version, CancellationToken cancellationToken) =>
            ValueTask.FromResult<ServableModel?>(new ServableModel(name, version, TestModels.Tabular(int.Parse(version, System.Globalization.CultureInfo.InvariantCulture)), new InputSchema([4], Modeling.InputKind.Float, null)));
    }

    private static ModelHost Host(ServingOptions options, TimeProvider? clock = null) =>
        new(new ManyVersions(), NullLogger<ModelHost>.Instance, Microsoft.Extensions.Options.Options.Create(options), clock);

    private static List<string> Loaded(ModelHost host) => host.Loaded.Select(m => m.Version).Order().ToList();

    [Fact]
    public async Task The_resolved_version_cache_holds_at_most_its_limit()
    {
        await using var host = Host(new ServingOptions { MaxResolvedVersions = 3 });

        for (var version = 1; version <= 12; version++)
            await host.GetRunner("iris", "v" + version, default);

        Assert.InRange(host.ResolvedCount, 1, 3);
    }

    [Fact]
    public async Task Past_the_loaded_limit_the_least_recently_used_explicit_version_is_unloaded_never_the_default()
    {
        await using var host = Host(new ServingOptions { MaxLoadedVersions = 2 });
        await host.GetRunner("iris", null, default); // the default: version 1
        var two = (await host.GetRunner("iris", "2", default))!;
        await host.GetRunner("iris", "3", default);

        await two.Stopped.WaitAsync(TimeSpan.FromSeconds(20)); // retired: drained and disposed

        Assert.Equal(["1", "3"], Loaded(host));
    }

    [Fact]
    public async Task A_version_idle_past_the_idle_time_is_unloaded_and_the_default_stays()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var host = Host(new ServingOptions { IdleUnloadAfter = TimeSpan.FromMinutes(10) }, clock);
        await host.GetRunner("iris", null, default);
        var five = (await host.GetRunner("iris", "5", default))!;

        clock.Advance(TimeSpan.FromMinutes(5));
        await host.Refresh(default);
        Assert.Equal(["1", "5"], Loaded(host));
        clock.Advance(TimeSpan.FromMinutes(6));
        await host.Refresh(default);
        await five.Stopped.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(["1"], Loaded(host));
        Assert.Equal("5", (await host.GetRunner("iris", "5", default))!.Model.Version); // asked again: loaded again
    }
}
