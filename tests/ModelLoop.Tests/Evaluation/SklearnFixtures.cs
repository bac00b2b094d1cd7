using System.Text.Json;

namespace ModelLoop.Tests.Evaluation;

/// <summary>
/// Reads Fixtures/metrics.json: inputs and scikit-learn's results for them (Fixtures/make_fixtures.py writes
/// the file; tests need no Python). Undefined reference values are null, read as NaN.
/// </summary>
internal static class SklearnFixtures
{
    public const double Tolerance = 1e-6;

    private static readonly Lazy<JsonElement> Root = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Evaluation", "Fixtures", "metrics.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
    });

    public static IEnumerable<JsonElement> Classification => Root.Value.GetProperty("classification").EnumerateArray();
    public static IEnumerable<JsonElement> Regression => Root.Value.GetProperty("regression").EnumerateArray();
    public static IEnumerable<JsonElement> McNemar => Root.Value.GetProperty("mcnemar").EnumerateArray();
    public static IEnumerable<JsonElement> Fairness => Root.Value.GetProperty("fairness").EnumerateArray();

    public static TheoryData<string> ClassificationNames() => new(Classification.Select(c => c.GetProperty("name").GetString()!));
    public static TheoryData<string> RegressionNames() => new(Regression.Select(c => c.GetProperty("name").GetString()!));

    public static JsonElement ClassificationCase(string name) => Classification.Single(c => c.GetProperty("name").GetString() == name);
    public static JsonElement RegressionCase(string name) => Regression.Single(c => c.GetProperty("name").GetString() == name);

    public static int[] Ints(this JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
    public static double[] Doubles(this JsonElement e) => e.EnumerateArray().Select(Number).ToArray();
    public static double Number(this JsonElement e) => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble();
    public static double Expected(this JsonElement c, string key) => c.GetProperty("expected").GetProperty(key).Number();
    public static bool Has(this JsonElement c, string key) => c.GetProperty("expected").TryGetProperty(key, out _);

    public static double[,] Matrix(this JsonElement e)
    {
        var rows = e.EnumerateArray().Select(r => r.Doubles()).ToArray();
        var result = new double[rows.Length, rows[0].Length];
        for (var i = 0; i < rows.Length; i++)
            for (var j = 0; j < rows[i].Length; j++)
                result[i, j] = rows[i][j];
        return result;
    }

    /// <summary>Equal within <see cref="Tolerance"/>, or both NaN.</summary>
    public static void Close(double expected, double actual, string what)
    {
        if (double.IsNaN(expected))
            Assert.True(double.IsNaN(actual), $"{what}: expected NaN (undefined), got {actual}");
        else
            Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{what}: expected {expected:R}, got {actual:R}");
    }

    public static void Close(IReadOnlyList<double> expected, IReadOnlyList<double> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: expected {expected.Count} values, got {actual.Count}");
        for (var i = 0; i < expected.Count; i++)
            Close(expected[i], actual[i], $"{what}[{i}]");
    }
}
