using System.Text.Json;

namespace ModelLoop.Monitoring.Tests.Statistics;

/// <summary>
/// Reads Fixtures/drift_statistics.json (written by Fixtures/make_drift_fixtures.py with SciPy) and compares numbers
/// with a relative tolerance, so that a p-value of 1e-40 is checked as strictly as one of 0.3.
/// </summary>
internal static class SciPyFixtures
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "drift_statistics.json"))).RootElement);

    /// <summary>The cases of one statistic (a top-level array of the fixture file).</summary>
    public static IReadOnlyList<JsonElement> Cases(string statistic) => Root.Value.GetProperty(statistic).EnumerateArray().ToArray();

    /// <summary>The case names of one statistic, as xunit theory data.</summary>
    public static TheoryData<string> Names(string statistic)
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases(statistic)) data.Add(c.GetProperty("name").GetString()!);
        return data;
    }

    /// <summary>The case of one statistic with the given name.</summary>
    public static JsonElement Case(string statistic, string name) =>
        Cases(statistic).Single(c => c.GetProperty("name").GetString() == name);

    public static double[] Doubles(this JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static float[][] Rows(this JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();

    public static Dictionary<string, long> Counts(this JsonElement element, string property) =>
        element.GetProperty(property).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());

    public static double Number(this JsonElement element, string property) => element.GetProperty(property).GetDouble();

    /// <summary>Asserts |actual − expected| ≤ relative·|expected| + absolute (defaults: 1e-6 relative, 1e-12 absolute).</summary>
    public static void AssertClose(double expected, double actual, string what, double relative = 1e-6, double absolute = 1e-12)
    {
        double tolerance = relative * Math.Abs(expected) + absolute;
        Assert.True(Math.Abs(actual - expected) <= tolerance,
            $"{what}: expected {expected:R}, received {actual:R} (tolerance {tolerance:G3}).");
    }
}
