using ScottPlot;

namespace ModelLoop.Optimization.Tuning;

/// <summary>A study's plots as PNG bytes, drawn with ScottPlot: Optuna's history, intermediate values, parallel coordinates and importance.</summary>
public static class StudyPlots
{
    public const int Width = 900, Height = 480;

    /// <summary>Each complete trial's value by trial number (pruned ones at their last value, grey) and the best so far.</summary>
    public static byte[] History(IReadOnlyList<TrialRecord> trials, StudyDirection direction, string metric)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var plot = new Plot();
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Value is not null).ToList();
        if (complete.Count > 0)
        {
            var points = plot.Add.ScatterPoints(complete.Select(t => (double)t.Number).ToArray(), complete.Select(t => t.Value!.Value).ToArray());
            points.LegendText = "complete";
            points.MarkerSize = 7;
            points.Color = Colors.SteelBlue;
            var best = new List<(double X, double Y)>();
            double? running = null;
            foreach (var trial in complete)
            {
                running = running is not { } r ? trial.Value : direction == StudyDirection.Maximize ? Math.Max(r, trial.Value!.Value) : Math.Min(r, trial.Value!.Value);
                best.Add((trial.Number, running!.Value));
            }
            var line = plot.Add.Scatter(best.Select(p => p.X).ToArray(), best.Select(p => p.Y).ToArray());
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.Color = Colors.OrangeRed;
            line.LegendText = "best so far";
        }
        var pruned = trials.Where(t => t.State == TrialState.Pruned && t.Value is not null).ToList();
        if (pruned.Count > 0)
        {
            var points = plot.Add.ScatterPoints(pruned.Select(t => (double)t.Number).ToArray(), pruned.Select(t => t.Value!.Value).ToArray());
            points.LegendText = "pruned (last value)";
            points.MarkerSize = 5;
            points.Color = Colors.Gray;
        }
        plot.Title("Optimization history");
        plot.XLabel("trial");
        plot.YLabel(metric);
        plot.ShowLegend(direction == StudyDirection.Maximize ? Alignment.LowerRight : Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>Every trial's reported value per step: complete trials in colour, pruned ones grey and dashed, ending where they were stopped.</summary>
    public static byte[] IntermediateValues(IReadOnlyList<TrialRecord> trials, string metric)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var plot = new Plot();
        foreach (var trial in trials.Where(t => t.Intermediate.Count > 0))
        {
            var steps = trial.Intermediate.OrderBy(p => p.Key).ToList();
            var line = plot.Add.Scatter(steps.Select(p => (double)p.Key).ToArray(), steps.Select(p => p.Value).ToArray());
            line.MarkerSize = 3;
            if (trial.State == TrialState.Pruned)
            {
                line.Color = Colors.Gray.WithAlpha(0.7);
                line.LinePattern = LinePattern.Dashed;
            }
            else if (trial.State == TrialState.Fail)
                line.Color = Colors.Red.WithAlpha(0.5);
        }
        plot.Title("Intermediate values (grey dashed: pruned)");
        plot.XLabel("epoch");
        plot.YLabel(metric);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>
    /// One vertical axis per parameter (scaled to its range, log ones in log space, choices by index) and one for the
    /// value; each complete trial is a line across them, coloured from worst (blue) to best (red).
    /// </summary>
    public static byte[] ParallelCoordinates(SearchSpace space, IReadOnlyList<TrialRecord> trials, StudyDirection direction, string metric)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(trials);
        var plot = new Plot();
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Value is not null).ToList();
        var parameters = space.Parameters;
        if (complete.Count > 0)
        {
            var (low, high) = (complete.Min(t => t.Value!.Value), complete.Max(t => t.Value!.Value));
            var colormap = new ScottPlot.Colormaps.Turbo();
            foreach (var trial in complete)
            {
                var xs = new List<double>();
                var ys = new List<double>();
                for (var i = 0; i < parameters.Count; i++)
                    if (trial.Params.TryGetValue(parameters[i].Path, out var value))
                    {
                        xs.Add(i);
                        ys.Add(ParameterImportance.Scale(parameters[i].Distribution, value));
                    }
                xs.Add(parameters.Count);
                ys.Add(high > low ? (trial.Value!.Value - low) / (high - low) : 0.5);
                var goodness = high > low ? (trial.Value!.Value - low) / (high - low) : 1;
                if (direction == StudyDirection.Minimize)
                    goodness = 1 - goodness;
                var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
                line.Color = colormap.GetColor(0.1 + 0.8 * goodness).WithAlpha(0.8);
                line.MarkerSize = 4;
            }
        }
        for (var i = 0; i <= parameters.Count; i++)
            plot.Add.VerticalLine(i).Color = Colors.Black.WithAlpha(0.3);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, parameters.Count + 1).Select(i => (double)i).ToArray(),
            parameters.Select(p => p.Path).Append(metric).ToArray());
        plot.Axes.SetLimits(-0.3, parameters.Count + 0.3, -0.05, 1.05);
        plot.Title("Parallel coordinates (each axis scaled to its range; red: best)");
        return plot.GetImageBytes(Math.Max(Width, (parameters.Count + 1) * 160), Height, ImageFormat.Png);
    }

    /// <summary>Importance per parameter (fANOVA, summing to 1), most important on top.</summary>
    public static byte[] Importance(IReadOnlyList<KeyValuePair<string, double>> importance)
    {
        ArgumentNullException.ThrowIfNull(importance);
        var shown = importance.Reverse().ToArray(); // the bottom bar is drawn first
        var plot = new Plot();
        var bars = shown.Select((p, i) => new Bar { Position = i, Value = p.Value, FillColor = Colors.SteelBlue }).ToList();
        plot.Add.Bars(bars).Horizontal = true;
        plot.Axes.Left.SetTicks(shown.Select((_, i) => (double)i).ToArray(), shown.Select(p => p.Key).ToArray());
        plot.Title("Parameter importance (fANOVA)");
        plot.XLabel("share of the objective's variance");
        return plot.GetImageBytes(Width, Math.Max(Height, shown.Length * 28 + 120), ImageFormat.Png);
    }
}
