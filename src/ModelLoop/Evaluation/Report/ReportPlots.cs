using ScottPlot;

namespace ModelLoop.Evaluation.Report;

/// <summary>
/// The report's plots as PNG bytes, drawn with ScottPlot: training curves, confusion-matrix heatmap, ROC and PR
/// curves, per-class bars, calibration, regression scatter and residuals, and image thumbnails.
/// </summary>
internal static class ReportPlots
{
    public const int Width = 600, Height = 420;

    /// <summary>One line per history column; losses (name contains "loss") on one plot, the other metrics on another.</summary>
    public static byte[] TrainingCurves(IReadOnlyList<IReadOnlyDictionary<string, double>> history, bool losses)
    {
        var plot = new Plot();
        var epochs = history.Select((row, i) => row.TryGetValue("epoch", out var e) ? e : i + 1).ToArray();
        var keys = history.SelectMany(r => r.Keys).Distinct()
            .Where(k => k is not ("epoch" or "lr" or "learning_rate" or "seconds") && k.Contains("loss", StringComparison.Ordinal) == losses)
            .ToArray();
        foreach (var key in keys)
        {
            var ys = history.Select(r => r.TryGetValue(key, out var v) ? v : double.NaN).ToArray();
            var line = plot.Add.Scatter(epochs, ys);
            line.LegendText = key;
            line.LineWidth = 2;
        }
        // Whole epochs only: the default tick generator would label 1.5, 2.5….
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(Math.Max(1, Math.Ceiling(epochs.Length / 10.0)));
        plot.Title(losses ? "Loss per epoch" : "Metrics per epoch");
        plot.XLabel("epoch");
        plot.ShowLegend();
        return Png(plot);
    }

    /// <summary>Rows = true class (top to bottom), columns = predicted class; each cell shows its count.</summary>
    public static byte[] ConfusionMatrix(IReadOnlyList<long[]> matrix, IReadOnlyList<string> names)
    {
        var k = matrix.Count;
        var plot = new Plot();
        // Row-normalized colours so rare classes are as readable as common ones; the numbers are raw counts.
        var intensities = new double[k, k];
        for (var t = 0; t < k; t++)
        {
            double total = matrix[t].Sum();
            for (var p = 0; p < k; p++)
                intensities[t, p] = total == 0 ? 0 : matrix[t][p] / total;
        }
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        for (var t = 0; t < k; t++)
            for (var p = 0; p < k; p++)
            {
                var label = plot.Add.Text(matrix[t][p].ToString(System.Globalization.CultureInfo.InvariantCulture), p, k - 1 - t);
                label.LabelFontColor = intensities[t, p] > 0.5 ? Colors.Black : Colors.White;
                label.LabelFontSize = k > 12 ? 8 : 12;
                label.LabelAlignment = Alignment.MiddleCenter;
            }
        var positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, names.ToArray());
        plot.Axes.Left.SetTicks(positions, names.Reverse().ToArray());
        RotateBottomLabels(plot, names);
        plot.Title("Confusion matrix (colour: share of the true class)");
        plot.XLabel("predicted");
        plot.YLabel("true");
        return Png(plot, Width, Height + 80);
    }

    /// <summary>ROC curves: one per class (one-vs-rest), or the positive class's for binary models, with the chance diagonal.</summary>
    public static byte[] Roc(EvaluationResult result)
    {
        var plot = new Plot();
        foreach (var (c, scores, positives) in Curves(result))
        {
            var curve = ClassificationMetrics.RocCurve(scores, positives);
            var line = plot.Add.Scatter(curve.FalsePositiveRate, curve.TruePositiveRate);
            line.MarkerSize = 0;
            line.LegendText = Invariant($"{result.ClassName(c)} (AUC {ClassificationMetrics.RocAuc(scores, positives):0.000})");
        }
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LinePattern = LinePattern.Dashed;
        chance.Color = Colors.Gray;
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        plot.Title("ROC curve");
        plot.XLabel("false positive rate");
        plot.YLabel("true positive rate");
        plot.ShowLegend(Alignment.LowerRight);
        return Png(plot);
    }

    /// <summary>Precision-recall curves, as <see cref="Roc"/>.</summary>
    public static byte[] PrecisionRecall(EvaluationResult result)
    {
        var plot = new Plot();
        foreach (var (c, scores, positives) in Curves(result))
        {
            var curve = ClassificationMetrics.PrecisionRecallCurve(scores, positives);
            var line = plot.Add.Scatter(curve.Recall, curve.Precision);
            line.MarkerSize = 0;
            line.ConnectStyle = ConnectStyle.StepVertical;
            line.LegendText = Invariant($"{result.ClassName(c)} (AP {ClassificationMetrics.AveragePrecision(scores, positives):0.000})");
        }
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        plot.Title("Precision-recall curve");
        plot.XLabel("recall");
        plot.YLabel("precision");
        plot.ShowLegend(Alignment.LowerLeft);
        return Png(plot);
    }

    /// <summary>Grouped bars: precision, recall and F1 of every class.</summary>
    public static byte[] PerClassBars(IReadOnlyList<ClassSummary> perClass)
    {
        var plot = new Plot();
        var series = new (string Name, Func<ClassSummary, double> Value, Color Color)[]
        {
            ("precision", s => s.Precision, Colors.SteelBlue), ("recall", s => s.Recall, Colors.DarkOrange), ("F1", s => s.F1, Colors.SeaGreen),
        };
        for (var s = 0; s < series.Length; s++)
        {
            var bars = perClass.Select((c, i) => new Bar { Position = i * 4 + s, Value = series[s].Value(c), FillColor = series[s].Color }).ToList();
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = series[s].Name;
        }
        plot.Axes.Bottom.SetTicks(perClass.Select((_, i) => i * 4 + 1.0).ToArray(), perClass.Select(c => c.Name).ToArray());
        RotateBottomLabels(plot, perClass.Select(c => c.Name).ToArray());
        plot.Axes.SetLimits(-1, perClass.Count * 4 - 1, 0, 1.3); // headroom for the legend
        plot.Title("Per-class precision, recall and F1");
        plot.ShowLegend(Alignment.UpperRight);
        return Png(plot, Math.Max(Width, perClass.Count * 60), Height);
    }

    /// <summary>Grouped bars per group: accuracy, recall and selection rate of the positive class.</summary>
    public static byte[] Fairness(FairnessReport report)
    {
        var plot = new Plot();
        var series = new (string Name, Func<GroupMetrics, double> Value, Color Color)[]
        {
            ("accuracy", g => g.Accuracy, Colors.SteelBlue), ("recall", g => g.Recall, Colors.DarkOrange), ("selection rate", g => g.SelectionRate, Colors.MediumPurple),
        };
        for (var s = 0; s < series.Length; s++)
        {
            var bars = report.Groups.Select((g, i) => new Bar { Position = i * 4 + s, Value = double.IsNaN(series[s].Value(g)) ? 0 : series[s].Value(g), FillColor = series[s].Color }).ToList();
            plot.Add.Bars(bars).LegendText = series[s].Name;
        }
        plot.Axes.Bottom.SetTicks(report.Groups.Select((_, i) => i * 4 + 1.0).ToArray(), report.Groups.Select(g => g.Group).ToArray());
        plot.Axes.SetLimits(-1, report.Groups.Count * 4 - 1, 0, 1.3);
        plot.Title($"By {report.GroupName} (positive class {report.PositiveClass})");
        plot.ShowLegend(Alignment.UpperRight);
        return Png(plot);
    }

    /// <summary>Reliability diagram: observed frequency against mean predicted probability per bin, with the diagonal.</summary>
    public static byte[] Calibration(EvaluationResult result, int bins)
    {
        var probabilities = result.Probabilities!;
        var curve = probabilities.GetLength(1) == 2
            ? CalibrationCurve.Positive(ClassificationMetrics.Column(probabilities, 1), result.Labels!.Select(l => l == 1).ToArray(), bins)
            : CalibrationCurve.TopLabel(probabilities, result.Labels!, bins);
        var filled = Enumerable.Range(0, curve.Bins).Where(b => curve.Count[b] > 0).ToArray();
        var plot = new Plot();
        var ideal = plot.Add.Line(0, 0, 1, 1);
        ideal.LinePattern = LinePattern.Dashed;
        ideal.Color = Colors.Gray;
        var line = plot.Add.Scatter(filled.Select(b => curve.MeanPredicted[b]).ToArray(), filled.Select(b => curve.Observed[b]).ToArray());
        var binary = probabilities.GetLength(1) == 2;
        // The ECE metric is top-label; only the top-label plot shows it, so the legend never disagrees with the table.
        line.LegendText = binary ? "model" : Invariant($"model (ECE {curve.ExpectedCalibrationError:0.000})");
        line.LineWidth = 2;
        line.MarkerSize = 8;
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        plot.Title(binary ? "Calibration (positive class)" : "Calibration (top-label confidence)");
        plot.XLabel(binary ? "mean predicted probability" : "mean confidence");
        plot.YLabel(binary ? "fraction of positives" : "accuracy");
        plot.ShowLegend(Alignment.UpperLeft);
        return Png(plot);
    }

    /// <summary>Predicted against true values, with the identity line.</summary>
    public static byte[] PredictedVsActual(IReadOnlyList<double> targets, IReadOnlyList<double> predictions)
    {
        var plot = new Plot();
        var points = plot.Add.ScatterPoints(targets.ToArray(), predictions.ToArray());
        points.MarkerSize = 5;
        double low = Math.Min(targets.Min(), predictions.Min()), high = Math.Max(targets.Max(), predictions.Max());
        var ideal = plot.Add.Line(low, low, high, high);
        ideal.LinePattern = LinePattern.Dashed;
        ideal.Color = Colors.Gray;
        plot.Title("Predicted vs true");
        plot.XLabel("true");
        plot.YLabel("predicted");
        return Png(plot);
    }

    /// <summary>Histogram of residuals (true − predicted).</summary>
    public static byte[] Residuals(IReadOnlyList<double> targets, IReadOnlyList<double> predictions)
    {
        var residuals = targets.Select((t, i) => t - predictions[i]).ToArray();
        var histogram = ScottPlot.Statistics.Histogram.WithBinCount(Math.Clamp(residuals.Length / 5, 5, 40), residuals);
        var plot = new Plot();
        plot.Add.Histogram(histogram);
        plot.Title("Residuals (true − predicted)");
        plot.XLabel("residual");
        plot.YLabel("count");
        return Png(plot);
    }

    /// <summary>One image as a grayscale (first channel) thumbnail; the page captions it.</summary>
    public static byte[] Thumbnail(float[] pixels, int[] shape)
    {
        var (height, width) = (shape[1], shape[2]);
        var data = new double[height, width];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                data[y, x] = pixels[y * width + x];
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(data);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        plot.HideAxesAndGrid();
        return Png(plot, 170, 170);
    }

    /// <summary>Permutation importance: mean score drop per feature with ±std error bars, most important on top.</summary>
    public static byte[] FeatureImportance(IReadOnlyList<FeatureImportance> importance)
    {
        var shown = importance.Take(20).Reverse().ToArray(); // the bottom bar is drawn first
        var plot = new Plot();
        var bars = shown.Select((f, i) => new Bar { Position = i, Value = f.Mean, Error = f.Std, FillColor = Colors.SteelBlue }).ToList();
        plot.Add.Bars(bars).Horizontal = true;
        plot.Axes.Left.SetTicks(shown.Select((_, i) => (double)i).ToArray(), shown.Select(f => f.Name).ToArray());
        plot.Title("Permutation importance (score drop when shuffled)");
        plot.XLabel("drop of accuracy / R²");
        return Png(plot, Width, Math.Max(Height, shown.Length * 24 + 120));
    }

    /// <summary>An image (first channel, grayscale) with an attribution map drawn over it, half transparent.</summary>
    public static byte[] Overlay(float[] pixels, float[] map, int[] shape)
    {
        var (height, width) = (shape[1], shape[2]);
        double[,] Grid(float[] values)
        {
            var grid = new double[height, width];
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                    grid[y, x] = values[y * width + x];
            return grid;
        }
        var plot = new Plot();
        plot.Add.Heatmap(Grid(pixels)).Colormap = new ScottPlot.Colormaps.Grayscale();
        var heat = plot.Add.Heatmap(Grid(map));
        heat.Colormap = new ScottPlot.Colormaps.Inferno();
        heat.Opacity = 0.6;
        plot.HideAxesAndGrid();
        return Png(plot, 170, 170);
    }

    /// <summary>Long or many class names overlap on a horizontal axis: tilt them when they would.</summary>
    private static void RotateBottomLabels(Plot plot, IReadOnlyList<string> names)
    {
        if (names.Count * names.Max(n => n.Length) <= 40)
            return;
        plot.Axes.Bottom.TickLabelStyle.Rotation = -40;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 8 * names.Max(n => n.Length);
    }

    private static IEnumerable<(int Class, double[] Scores, bool[] Positives)> Curves(EvaluationResult result)
    {
        var probabilities = result.Probabilities!;
        var labels = result.Labels!;
        var classes = probabilities.GetLength(1);
        foreach (var c in classes == 2 ? [1] : Enumerable.Range(0, classes))
        {
            var positives = labels.Select(l => l == c).ToArray();
            if (positives.All(p => p) || !positives.Any(p => p))
                continue; // undefined for this class (see the report's warnings)
            yield return (c, ClassificationMetrics.Column(probabilities, c), positives);
        }
    }

    private static byte[] Png(Plot plot, int width = Width, int height = Height) => plot.GetImageBytes(width, height, ImageFormat.Png);

    // Plot text is part of the report: the same in every culture, like its HTML and JSON.
    private static string Invariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
