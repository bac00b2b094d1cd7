using ModelLoop.Data;
using ModelLoop.Data.Readers;
using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Artifacts;

/// <summary>
/// Computes a package's <see cref="ReferenceProfile"/> at training time: feature summaries and a seeded sample from the
/// training rows, and — on held-out rows the model never trained on (validation, else test) — a sample of
/// penultimate-layer embeddings, the predicted-class frequencies, the confidence and the accuracy. Held-out rows,
/// because a model's embeddings and confidence on its own training data are not what it will see live.
/// </summary>
public static class ReferenceProfileBuilder
{
    /// <summary>Reference values kept per numeric feature, and held-out items predicted. Defaults to 1,000.</summary>
    public const int SampleSize = 1000;

    /// <summary>Embedding rows kept (MMD's cost grows with the square of the pooled sample). Defaults to 400.</summary>
    public const int EmbeddingSampleSize = 400;

    /// <param name="model">The trained model.</param>
    /// <param name="info">How to read its outputs (from the metadata it is saved with).</param>
    /// <param name="train">Training features (model inputs).</param>
    /// <param name="trainRows">The training rows as raw cells (tables), or null.</param>
    /// <param name="heldOut">Validation or test items with labels.</param>
    /// <param name="heldOutName">"validation" or "test".</param>
    /// <param name="seed">Seeds every sample.</param>
    public static ReferenceProfile Build(Model model, PackageInfo info, TensorDataset train, RawTable? trainRows, TensorDataset heldOut, string heldOutName, long seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(heldOut);
        var monitor = new ItemMonitor(info, model.InputShape, model.InputKind, reference: null);
        var random = new Random(unchecked((int)seed));

        // Features: every training row for tables (cheap), a sample of inputs otherwise.
        IEnumerable<MonitoredItem> trainItems;
        int rows;
        if (trainRows is not null && monitor.Features.Count > 0 && info.Pipeline is { Image: null })
        {
            rows = trainRows.Count;
            trainItems = trainRows.Rows.Select(r => monitor.FromCells(trainRows.Columns.Select((c, i) => (c, r[i])).ToDictionary(p => p.c, p => p.Item2, StringComparer.Ordinal)));
        }
        else
        {
            var picked = Sample(random, (int)train.Count, SampleSize);
            rows = picked.Length;
            trainItems = Inputs(train.Features, picked).Select(input => monitor.FromInput(input));
        }
        var features = Summaries(monitor.Features, trainItems.ToList(), random);

        // Model-dependent parts on held-out rows.
        var heldOutPicked = Sample(random, (int)heldOut.Count, SampleSize);
        var (outputs, embeddings, width, dims) = Forward(model, heldOut.Features, heldOutPicked, monitor.UsesEmbeddings);
        var items = Enumerable.Range(0, heldOutPicked.Length).Select(i => monitor.WithOutputs(new MonitoredItem(), outputs.AsSpan(i * width, width))).ToList();
        double[]? frequencies = null, confidence = null, values = null;
        double? accuracy = null;
        if (info.Task == ModelTask.Classification && items.Count > 0)
        {
            frequencies = new double[info.ClassCount];
            foreach (var item in items)
                frequencies[item.PredictedClass!.Value] += 1.0 / items.Count;
            confidence = items.Select(i => i.Confidence!.Value).Order().ToArray();
            using var labels = heldOut.Labels.index_select(0, tensor(heldOutPicked.Select(i => (long)i).ToArray())).to(ScalarType.Int64).cpu();
            var truth = labels.data<long>().ToArray();
            accuracy = items.Where((item, i) => item.PredictedClass == truth[i]).Count() / (double)items.Count;
        }
        else if (info.Task == ModelTask.Regression && items.Count > 0)
        {
            values = items.Select(i => i.PredictedValue!.Value).Order().ToArray();
        }
        EmbeddingReference? embeddingReference = null;
        if (embeddings is not null && dims > 0)
        {
            // A seeded sample, not the first rows: held-out rows may come ordered (an image folder is read class by class),
            // and the first 400 of those would make a reference of a few classes that every mixed window differs from.
            var keep = Sample(random, heldOutPicked.Length, EmbeddingSampleSize);
            embeddingReference = new EmbeddingReference(dims, keep.Select(i => embeddings.AsSpan(i * dims, dims).ToArray()).ToArray());
        }
        return new ReferenceProfile
        {
            Source = heldOutName,
            Rows = rows,
            Features = features,
            Embeddings = embeddingReference,
            PredictedClassFrequencies = frequencies,
            Confidence = confidence,
            PredictedValues = values,
            Accuracy = accuracy,
        };
    }

    private static FeatureReference[] Summaries(IReadOnlyList<FeatureDefinition> definitions, IReadOnlyList<MonitoredItem> items, Random random) =>
        definitions.Select(definition =>
        {
            if (definition.Kind == FeatureKind.Categorical)
            {
                var cells = items.Select(i => i.Categorical.GetValueOrDefault(definition.Name)).ToList();
                return new FeatureReference
                {
                    Name = definition.Name,
                    Kind = FeatureKind.Categorical,
                    Counts = cells.GroupBy(c => c ?? MonitoredItem.Missing, StringComparer.Ordinal)
                        .OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal),
                    MissingFraction = cells.Count == 0 ? 0 : cells.Count(c => c is null) / (double)cells.Count,
                };
            }
            var all = items.Select(i => i.Numeric.GetValueOrDefault(definition.Name)).ToList();
            var present = all.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).Order().ToArray();
            var sample = present.Length <= SampleSize ? present : Sample(random, present.Length, SampleSize).Select(i => present[i]).Order().ToArray();
            var mean = present.Length == 0 ? (double?)null : present.Average();
            return new FeatureReference
            {
                Name = definition.Name,
                Kind = FeatureKind.Numeric,
                Sample = sample,
                Quantiles = present.Length == 0 ? null : Enumerable.Range(0, 11).Select(q => Data.Preprocessing.NumericColumn.Quantile(present, q / 10.0)).ToArray(),
                Mean = mean,
                StandardDeviation = mean is { } m ? Math.Sqrt(present.Sum(v => (v - m) * (v - m)) / present.Length) : null,
                MissingFraction = all.Count == 0 ? 0 : (all.Count - present.Length) / (double)all.Count,
            };
        }).ToArray();

    /// <summary>Up to <paramref name="count"/> distinct indices below <paramref name="total"/>, seeded, in ascending order.</summary>
    private static int[] Sample(Random random, int total, int count)
    {
        if (total <= count)
            return Enumerable.Range(0, total).ToArray();
        var indices = Enumerable.Range(0, total).ToArray();
        random.Shuffle(indices);
        return indices.Take(count).Order().ToArray();
    }

    private static IEnumerable<float[]> Inputs(Tensor features, int[] picked)
    {
        using var scope = NewDisposeScope();
        var selected = features.index_select(0, tensor(picked.Select(i => (long)i).ToArray())).to(ScalarType.Float32).cpu();
        var width = (int)(selected.numel() / Math.Max(1, picked.Length));
        var flat = selected.data<float>().ToArray();
        return Enumerable.Range(0, picked.Length).Select(i => flat.AsSpan(i * width, width).ToArray()).ToArray();
    }

    // Held-out outputs (and embeddings) in evaluation mode, in batches of 256.
    private static (float[] Outputs, float[]? Embeddings, int Width, int Dimensions) Forward(Model model, Tensor features, int[] picked, bool embed)
    {
        var network = model.Network;
        var wasTraining = network.training;
        network.eval();
        var outputs = new List<float>();
        var embeddings = embed ? new List<float>() : null;
        int width = 0, dims = 0;
        try
        {
            using var _ = no_grad();
            for (var start = 0; start < picked.Length; start += 256)
            {
                using var scope = NewDisposeScope();
                var batch = picked.Skip(start).Take(256).Select(i => (long)i).ToArray();
                var input = features.index_select(0, tensor(batch)).to(model.Device);
                Tensor output;
                if (embed)
                {
                    var (o, e) = model.ForwardWithEmbedding(input);
                    output = o;
                    dims = (int)e.shape[1];
                    embeddings!.AddRange(e.to(ScalarType.Float32).cpu().data<float>().ToArray());
                }
                else
                {
                    output = network.forward(input);
                }
                var flat = output.reshape(batch.Length, -1).to(ScalarType.Float32).cpu();
                width = (int)flat.shape[1];
                outputs.AddRange(flat.data<float>().ToArray());
            }
        }
        finally
        {
            network.train(wasTraining);
        }
        return (outputs.ToArray(), embeddings?.ToArray(), width, dims);
    }
}
