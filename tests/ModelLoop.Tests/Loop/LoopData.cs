using System.Globalization;

namespace ModelLoop.Tests.Loop;

/// <summary>Small tables written for the loop tests.</summary>
internal static class LoopData
{
    /// <summary>
    /// 300 rows: a number with missing cells, a colour (categorical), a date, and a yes/no label that follows the colour
    /// (red → yes) or a large x, so a small MLP learns it only through both columns.
    /// </summary>
    public static string MixedCsv(string folder, int rows = 300, int seed = 3)
    {
        var random = new Random(seed);
        var colours = new[] { "red", "green", "blue" };
        var lines = new List<string> { "x,colour,day,label" };
        for (var i = 0; i < rows; i++)
        {
            var x = random.NextDouble() * 2;
            var colour = colours[i % 3];
            var cell = i % 7 == 0 ? "" : x.ToString("F3", CultureInfo.InvariantCulture);
            var day = new DateOnly(2024, 1, 1).AddDays(random.Next(365)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            lines.Add($"{cell},{colour},{day},{(colour == "red" || x > 1.5 ? "yes" : "no")}");
        }
        var path = Path.Combine(folder, "mixed.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>y = 3·a − 2·b + 1 + noise over 400 rows.</summary>
    public static string LinearCsv(string folder)
    {
        var random = new Random(5);
        var lines = new List<string> { "a,b,y" };
        for (var i = 0; i < 400; i++)
        {
            var (a, b) = (random.NextDouble() * 4 - 2, random.NextDouble() * 4 - 2);
            var y = 3 * a - 2 * b + 1 + random.NextDouble() * 0.1;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{a:F4},{b:F4},{y:F4}"));
        }
        var path = Path.Combine(folder, "linear.csv");
        File.WriteAllLines(path, lines);
        return path;
    }
}
