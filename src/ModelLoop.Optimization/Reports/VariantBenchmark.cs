using System.Diagnostics;
using ModelLoop.Evaluation;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Reports;

/// <summary>
/// Measures model variants side by side on the same test rows: accuracy (and McNemar against the first variant, the
/// baseline), batch-1 latency and batched throughput — timed in interleaved rounds so every variant sees the same
/// machine — and marks the Pareto front over accuracy, latency and size.
/// </summary>
public static class VariantBenchmark
{
    /// <param name="candidates">The baseline first, then its variants; all take the same inputs.</param>
    /// <param name="testInputs">(N, …) prepared inputs, as the models take them.</param>
    /// <param name="testLabels">(N) int64 class indices, or float targets for regression.</param>
    /// <param name="progress">Receives one line per finished step.</param>
    public static IReadOnlyList<VariantMeasurement> Measure(IReadOnlyList<VariantCandidate> candidates, Tensor testInputs, Tensor testLabels,
        VariantBenchmarkOptions? options = null, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(testInputs);
        ArgumentNullException.ThrowIfNull(testLabels);
        options ??= new VariantBenchmarkOptions();
        options.Validate();
        if (candidates.Count == 0)
            throw new ArgumentException("No variants to measure; pass the baseline and at least zero variants after it.", nameof(candidates));
        var rows = (int)testInputs.shape[0];
        if (rows == 0 || testLabels.shape[0] != rows)
            throw new ArgumentException($"The test set needs rows and one label per row; received {rows} inputs and {testLabels.shape[0]} labels.");
        var classification = testLabels.dtype == ScalarType.Int64;

        // Scores first: they also warm every variant up.
        var scores = candidates.Select(c => Score(c.Predictor, testInputs, options.ScoreBatch)).ToList();
        progress?.Invoke($"scored {candidates.Count} variant(s) on {rows:N0} test rows");
        var labels = classification ? ModelOutputs.ToLabels(testLabels) : null;
        var targets = classification ? null : Flat(testLabels);

        var latencies = candidates.Select(_ => new List<double>()).ToList();
        var throughput = candidates.Select(_ => new List<double>()).ToList();
        using (var one = testInputs.narrow(0, 0, 1).contiguous())
        using (var batch = Batch(testInputs, options.ThroughputBatch))
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                for (var w = 0; w < options.WarmupCalls; w++)
                    candidates[i].Predictor.Predict(one).Dispose();
                candidates[i].Predictor.Predict(batch).Dispose(); // the first large batch allocates what later ones reuse
            }
            for (var round = 0; round < options.Rounds; round++)
            {
                for (var i = 0; i < candidates.Count; i++)
                {
                    var predictor = candidates[i].Predictor;
                    for (var call = 0; call < options.LatencyCalls; call++)
                    {
                        var start = Stopwatch.GetTimestamp();
                        predictor.Predict(one).Dispose();
                        latencies[i].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                    // At least ThroughputBatches batches and at least MinThroughputSeconds: a small model's few batches
                    // take microseconds, which timer resolution and one page fault would dominate.
                    var clock = Stopwatch.StartNew();
                    var batches = 0;
                    do
                    {
                        predictor.Predict(batch).Dispose();
                        batches++;
                    } while (batches < options.ThroughputBatches || clock.Elapsed.TotalSeconds < options.MinThroughputSeconds);
                    throughput[i].Add(batch.shape[0] * batches / clock.Elapsed.TotalSeconds);
                }
                progress?.Invoke($"timing round {round + 1}/{options.Rounds} done");
            }
        }

        var measured = new List<VariantMeasurement>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            var sorted = latencies[i].Order().ToArray();
            ComparisonResult? comparison = null;
            double? accuracy = null, mse = null;
            if (classification)
            {
                var probabilities = scores[i].Probabilities!;
                accuracy = ClassificationMetrics.Accuracy(labels!, ClassificationMetrics.ArgMax(probabilities));
                if (i > 0)
                    comparison = ModelComparison.CompareClassifiers(labels!, scores[0].Probabilities!, probabilities, new ComparisonOptions { BootstrapResamples = 0 });
            }
            else
                mse = targets!.Zip(scores[i].Values!, (t, p) => (t - p) * (t - p)).Average();
            measured.Add(new VariantMeasurement
            {
                Name = c.Name,
                Method = c.Method,
                PackagePath = c.PackagePath,
                Runtime = c.Runtime,
                Parameters = c.Parameters,
                NonZeroParameters = c.NonZeroParameters,
                SizeBytes = c.SizeBytes,
                CompressedBytes = c.CompressedBytes,
                Batch1LatencyMs = Quantile(sorted, 0.5),
                Batch1LatencyP90Ms = Quantile(sorted, 0.9),
                ThroughputPerSecond = throughput[i].Order().ElementAt(throughput[i].Count / 2),
                ThroughputBatch = (int)Math.Min(options.ThroughputBatch, rows),
                Accuracy = accuracy,
                MeanSquaredError = mse,
                TestRows = rows,
                VerdictVersusBaseline = comparison?.Verdict.ToString(),
                PValueVersusBaseline = comparison?.McNemar?.PValue,
            });
        }
        return ParetoFront.Mark(measured);
    }

    private sealed record Scores(double[,]? Probabilities, double[]? Values);

    /// <summary>A classifier variant's class probabilities for <paramref name="inputs"/>, predicted in batches.</summary>
    internal static double[,] Probabilities(IVariantPredictor predictor, Tensor inputs, int batchSize) =>
        Score(predictor, inputs, batchSize).Probabilities
        ?? throw new ArgumentException("The variant outputs one value per row, not class scores; probabilities need a classifier.", nameof(predictor));

    private static Scores Score(IVariantPredictor predictor, Tensor inputs, int batchSize)
    {
        var rows = inputs.shape[0];
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < rows; start += batchSize)
            {
                using var slice = inputs.narrow(0, start, Math.Min(batchSize, rows - start));
                parts.Add(predictor.Predict(slice));
            }
            using var all = cat(parts, 0);
            return all.dim() == 2 && all.shape[1] > 1
                ? new Scores(ModelOutputs.ToProbabilities(all), null)
                : new Scores(null, Flat(all));
        }
        finally
        {
            foreach (var part in parts)
                part.Dispose();
        }
    }

    private static Tensor Batch(Tensor inputs, int size) => inputs.narrow(0, 0, Math.Min(size, inputs.shape[0])).contiguous();

    private static double[] Flat(Tensor t)
    {
        using var flat = t.reshape(-1).to(ScalarType.Float64);
        return flat.data<double>().ToArray();
    }

    private static double Quantile(double[] sorted, double q) => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))];
}
