namespace ModelLoop.Dashboard.Tests;

/// <summary>The tests that share one <see cref="DashboardHost"/> (training its models once) and one browser.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardHost>, ICollectionFixture<Browser.BrowserFixture>
{
    public const string Name = "dashboard";
}
