using System.Diagnostics;
using ModelLoop.Evaluation;

namespace ModelLoop.Bench;

/// <summary>
/// Cost of the evaluation stage at Fashion-MNIST's test-set size on synthetic softmax outputs: every
/// classification metric (incl. one-vs-rest ROC AUC / AP and calibration), and champion vs challenger with
/// 1,000 paired bootstrap resamples. No model runs, so the figures isolate the metric code.
/// </summary>
internal static class EvaluationSpeed
{
    public static int Run(BenchOptions options)
    {
        var n = options.Int("samples", 10_000);
        var classes = options.Int("classes", 10);
        var rounds = options.Int("rounds", 5);
        var random = new Random(1);
        var labels = Enumerable.Range(0, n).Select(_ => random.Next(classes)).ToArray();
        double[,] Probabilities(double signal)
        {
            var p = new double[n, classes];
            for (var i = 0; i < n; i++)
            {
                var logits = Enumerable.Range(0, classes).Select(c => random.NextDouble() * 2 + (c == labels[i] ? signal : 0)).ToArray();
                var sum = logits.Sum(Math.Exp);
                for (var c = 0; c < classes; c++)
                    p[i, c] = Math.Exp(logits[c]) / sum;
            }
            return p;
        }
        var champion = Probabilities(1.5);
        var challenger = Probabilities(1.7);
        Console.WriteLine($"Evaluation speed: {n:N0} samples × {classes} classes, median of {rounds} rounds");

        var metrics = Median(rounds, () =>
        {
            var accumulator = new ClassificationAccumulator();
            accumulator.Update(champion, labels);
            _ = (accumulator.Accuracy(), accumulator.Scores(), accumulator.TopKAccuracy(3), accumulator.RocAuc(), accumulator.AveragePrecision(),
                accumulator.LogLoss(), accumulator.ExpectedCalibrationError());
        });
        Console.WriteLine($"  all classification metrics          {metrics * 1000,8:F1} ms");
        var comparison = Median(rounds, () => ModelComparison.CompareClassifiers(labels, champion, challenger));
        Console.WriteLine($"  champion vs challenger (1,000 boot) {comparison * 1000,8:F1} ms");
        return 0;
    }

    private static double Median(int rounds, Action action)
    {
        action(); // warm-up (JIT)
        var times = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalSeconds);
        }
        return times.Order().ElementAt(times.Count / 2);
    }
}
