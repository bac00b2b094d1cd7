using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Evaluation;

/// <summary>
/// The evaluation metrics as trainer metrics, by name: each accumulates batch by batch with
/// <see cref="ClassificationAccumulator"/> or <see cref="RegressionAccumulator"/>. They enter
/// <see cref="MetricCatalog"/> when the assembly loads, so Evaluation depends on Training and not the reverse.
/// </summary>
internal static partial class TrainerMetrics
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "Only adds a resolver to an in-memory catalog of the same assembly, before any metric is looked up; no I/O, no order dependence.")]
    internal static void RegisterInCatalog() => MetricCatalog.Register(Create, Names);

    public const string Names =
        "top_k_accuracy (k = 5) or top_<k>_accuracy, precision / recall / f1 (macro) with _macro, _micro or _weighted, " +
        "roc_auc, pr_auc (= average_precision), log_loss, ece, rmse, r2, mape";

    /// <summary>The metric for a lower-case name, or null when the name is not an evaluation metric.</summary>
    public static Metric? Create(string name)
    {
        if (TopK().Match(name) is { Success: true } top)
            return Classification(name, Higher, a => a.TopKAccuracy(top.Groups[1].Success ? int.Parse(top.Groups[1].Value, CultureInfo.InvariantCulture) : 5));
        if (Averaged().Match(name) is { Success: true } averaged)
        {
            var average = averaged.Groups[2].Value switch { "micro" => ClassAverage.Micro, "weighted" => ClassAverage.Weighted, _ => ClassAverage.Macro };
            return averaged.Groups[1].Value switch
            {
                "precision" => Classification(name, Higher, a => a.Scores().Average(average).Precision),
                "recall" => Classification(name, Higher, a => a.Scores().Average(average).Recall),
                _ => Classification(name, Higher, a => a.Scores().Average(average).F1),
            };
        }
        return name switch
        {
            "roc_auc" or "auc" => Classification(name, Higher, a => a.RocAuc()),
            "pr_auc" or "average_precision" => Classification(name, Higher, a => a.AveragePrecision()),
            "log_loss" => Classification(name, Lower, a => a.LogLoss()),
            "ece" or "expected_calibration_error" => Classification(name, Lower, a => a.ExpectedCalibrationError()),
            "rmse" or "root_mean_squared_error" => new RegressionMetric(name, Lower, a => a.RootMeanSquaredError),
            "r2" or "r2_score" => new RegressionMetric(name, Higher, a => a.R2),
            "mape" or "mean_absolute_percentage_error" => new RegressionMetric(name, Lower, a => a.MeanAbsolutePercentageError),
            _ => null,
        };
    }

    private const MetricDirection Higher = MetricDirection.HigherIsBetter;
    private const MetricDirection Lower = MetricDirection.LowerIsBetter;

    private static Metric Classification(string name, MetricDirection direction, Func<ClassificationAccumulator, double> result) =>
        new ClassificationMetric(name, direction, result);

    [GeneratedRegex(@"^top_(?:k|(\d+))_accuracy$")]
    private static partial Regex TopK();

    [GeneratedRegex(@"^(precision|recall|f1)(?:_(macro|micro|weighted))?$")]
    private static partial Regex Averaged();

    private sealed class ClassificationMetric(string name, MetricDirection direction, Func<ClassificationAccumulator, double> result) : Metric
    {
        private readonly ClassificationAccumulator _accumulator = new();
        public override string Name => name;
        public override MetricDirection Direction => direction;
        public override void Reset() => _accumulator.Reset();
        public override void Update(Tensor output, Tensor target) => _accumulator.Update(output.detach(), target);
        public override double Result() => _accumulator.Count == 0 ? double.NaN : result(_accumulator);
    }

    private sealed class RegressionMetric(string name, MetricDirection direction, Func<RegressionAccumulator, double> result) : Metric
    {
        private readonly RegressionAccumulator _accumulator = new();
        public override string Name => name;
        public override MetricDirection Direction => direction;
        public override void Reset() => _accumulator.Reset();
        public override void Update(Tensor output, Tensor target)
        {
            using var detached = output.detach();
            _accumulator.Update(detached, target);
        }

        public override double Result() => result(_accumulator);
    }
}
