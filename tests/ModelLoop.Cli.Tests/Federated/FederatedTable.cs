using System.Globalization;
using System.Text;
using ModelLoop.Loop;

namespace ModelLoop.Cli.Tests.Federated;

/// <summary>A generated table and an MLP config for federated runs: a 3-class problem on Gaussian features, written as CSV.</summary>
internal static class FederatedTable
{
    public const int Classes = 3;

    /// <summary>
    /// Writes <paramref name="rows"/> rows of <paramref name="features"/> features (the class is the argmax of three fixed
    /// random projections) and a config training an MLP with <paramref name="hidden"/> hidden units on them; returns the config's path.
    /// </summary>
    /// <param name="model">The network instead of the MLP. Defaults to null (the MLP).</param>
    public static string Write(string folder, int rows = 300, int features = 8, int hidden = 8, string name = "job", ModelConfig? model = null)
    {
        var random = new Random(17);
        var projection = Enumerable.Range(0, Classes * features).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var csv = new StringBuilder(string.Join(',', Enumerable.Range(0, features).Select(i => $"f{i}")) + ",target\n");
        for (var r = 0; r < rows; r++)
        {
            var x = Enumerable.Range(0, features).Select(_ => Math.Round(Gaussian(random), 4)).ToArray();
            var label = Enumerable.Range(0, Classes).MaxBy(c => Enumerable.Range(0, features).Sum(i => projection[c * features + i] * x[i]));
            csv.Append(string.Join(',', x.Select(v => v.ToString(CultureInfo.InvariantCulture)))).Append(",c").Append(label).Append('\n');
        }
        var table = Path.Combine(folder, "table.csv");
        if (!File.Exists(table))
            File.WriteAllText(table, csv.ToString());
        var config = new TrainingConfig
        {
            Model = model ?? new ModelConfig { Zoo = "mlp", Hidden = [hidden], Dropout = 0 },
            Data = new DataConfig { Source = table, Label = "target", Validation = 0, Test = 0.2 },
            Optimizer = new OptimizerConfig { Name = "sgd", LearningRate = 0.1 },
            BatchSize = 16,
            Seed = 1,
        };
        var path = Path.Combine(folder, name + ".json");
        config.Save(path);
        return path;
    }

    /// <summary>Parameters of the config's MLP: features → hidden → 3.</summary>
    public static int Parameters(int features, int hidden) => features * hidden + hidden + hidden * Classes + Classes;

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
