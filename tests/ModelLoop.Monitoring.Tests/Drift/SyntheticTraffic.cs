using MathNet.Numerics.Distributions;
using ModelLoop.Artifacts;

namespace ModelLoop.Monitoring.Tests.Drift;

/// <summary>
/// A seeded reference profile and windows of served items drawn from the same distributions, or from shifted ones:
/// numeric "age" ~ N(40, 10) and "income" ~ N(0, 1), categorical "color" (red 50 %, green 30 %, blue 20 %), 16-wide
/// embeddings ~ N(0, 1), predicted classes 0/1/2 (50/30/20 %), confidence ~ U(0.5, 1), predicted values ~ N(3, 2).
/// </summary>
internal sealed class SyntheticTraffic(int seed)
{
    public const int EmbeddingWidth = 16;
    private static readonly string[] Colors = ["red", "green", "blue"];
    private readonly Random random = new(seed);

    /// <summary>Changes to the distribution a window is drawn from.</summary>
    public sealed record Shift
    {
        public double AgeMean { get; init; } = 40;
        public double[] ColorShares { get; init; } = [0.5, 0.3, 0.2];
        /// <summary>The share of items whose color is a category the reference never saw.</summary>
        public double NewColorShare { get; init; }
        public double EmbeddingMean { get; init; }
        public double[] ClassShares { get; init; } = [0.5, 0.3, 0.2];
        public double PredictedValueMean { get; init; } = 3;
        public bool Embeddings { get; init; } = true;
        /// <summary>The share of items whose age is missing (null).</summary>
        public double MissingAge { get; init; }
    }

    public ReferenceProfile Reference(int rows = 1000, int embeddingRows = 300, bool regression = false) => new()
    {
        Rows = rows,
        Features =
        [
            NumericReference("age", Enumerable.Range(0, rows).Select(_ => Normal.Sample(random, 40, 10)).ToArray()),
            NumericReference("income", Enumerable.Range(0, rows).Select(_ => Normal.Sample(random, 0, 1)).ToArray()),
            new FeatureReference
            {
                Name = "color", Kind = FeatureKind.Categorical,
                Counts = new Dictionary<string, long> { ["red"] = rows / 2, ["green"] = rows * 3 / 10, ["blue"] = rows / 5 },
            },
        ],
        Embeddings = new EmbeddingReference(EmbeddingWidth, Enumerable.Range(0, embeddingRows).Select(_ => Embedding(0)).ToArray()),
        PredictedClassFrequencies = regression ? null : [0.5, 0.3, 0.2],
        Confidence = regression ? null : [.. Enumerable.Range(0, rows).Select(_ => ContinuousUniform.Sample(random, 0.5, 1)).Order()],
        PredictedValues = regression ? [.. Enumerable.Range(0, rows).Select(_ => Normal.Sample(random, 3, 2)).Order()] : null,
        Accuracy = regression ? null : 0.9,
    };

    public List<MonitoredItem> Window(int items, Shift? shift = null, bool regression = false)
    {
        shift ??= new Shift();
        return Enumerable.Range(0, items).Select(_ => new MonitoredItem
        {
            Numeric = new Dictionary<string, double?>
            {
                ["age"] = random.NextDouble() < shift.MissingAge ? null : Normal.Sample(random, shift.AgeMean, 10),
                ["income"] = Normal.Sample(random, 0, 1),
            },
            Categorical = new Dictionary<string, string?>
            {
                ["color"] = random.NextDouble() < shift.NewColorShare ? "purple" : Colors[Categorical.Sample(random, shift.ColorShares)],
            },
            Embedding = shift.Embeddings ? Embedding(shift.EmbeddingMean) : null,
            PredictedClass = regression ? null : Categorical.Sample(random, shift.ClassShares),
            Confidence = regression ? null : ContinuousUniform.Sample(random, 0.5, 1),
            PredictedValue = regression ? Normal.Sample(random, shift.PredictedValueMean, 2) : null,
        }).ToList();
    }

    private float[] Embedding(double mean) =>
        Enumerable.Range(0, EmbeddingWidth).Select(_ => (float)Normal.Sample(random, mean, 1)).ToArray();

    private static FeatureReference NumericReference(string name, double[] values) => new()
    {
        Name = name, Kind = FeatureKind.Numeric, Sample = [.. values.Order()],
        Mean = values.Average(), StandardDeviation = MathNet.Numerics.Statistics.Statistics.StandardDeviation(values),
        Quantiles = Enumerable.Range(0, 11).Select(k => MathNet.Numerics.Statistics.Statistics.Quantile(values, k / 10.0)).ToArray(),
    };
}
