using ModelLoop.IO;
using ScottPlot;

namespace ModelLoop.Data.Inspection;

/// <summary>PNG plots of a <see cref="DatasetSummary"/> with ScottPlot, written atomically.</summary>
public static class DatasetPlots
{
    /// <summary>A bar per class with its row count.</summary>
    /// <exception cref="InvalidOperationException">The summary has no class balance (no label column).</exception>
    public static void ClassBalance(DatasetSummary summary, string path, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (summary.ClassBalance.Count == 0)
            throw new InvalidOperationException("The summary has no class balance; summarize with a label column (DatasetSummary.Of(table, labelColumn)).");
        var plot = new Plot();
        var classes = summary.ClassBalance.ToArray();
        var bars = plot.Add.Bars(classes.Select(c => (double)c.Value).ToArray());
        for (var i = 0; i < classes.Length; i++)
            bars.Bars[i].Label = classes[i].Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        bars.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, classes.Length).Select(i => (double)i).ToArray(), classes.Select(c => c.Key).ToArray());
        if (classes.Length > 6 || classes.Any(c => c.Key.Length > 8))
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;   // long or many names would overlap
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        }
        plot.Axes.Margins(bottom: 0);
        plot.Title(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Class balance of '{summary.LabelColumn}' ({summary.Rows:N0} rows)"));
        plot.YLabel("rows");
        Save(plot, path, width, height);
    }

    /// <summary>
    /// One box per numeric column (up to <paramref name="maxColumns"/>): quartiles and whiskers at min/max, each
    /// standardized by its own mean and spread so columns of any scale fit one axis.
    /// </summary>
    /// <exception cref="InvalidOperationException">No numeric column.</exception>
    public static void FeatureDistributions(DatasetSummary summary, string path, int maxColumns = 30, int width = 1000, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var numeric = summary.Columns.Where(c => c.Mean is not null && c.Name != summary.LabelColumn).Take(maxColumns).ToArray();
        if (numeric.Length == 0)
            throw new InvalidOperationException("The table has no numeric feature column to plot.");
        var plot = new Plot();
        for (var i = 0; i < numeric.Length; i++)
        {
            var c = numeric[i];
            var spread = c.Q3!.Value - c.Q1!.Value is > 0 and var iqr ? iqr : Math.Max(c.Max!.Value - c.Min!.Value, 1);
            double Z(double v) => (v - c.Median!.Value) / spread;
            plot.Add.Box(new Box
            {
                Position = i,
                BoxMin = Z(c.Q1.Value),
                BoxMax = Z(c.Q3.Value),
                BoxMiddle = 0,
                WhiskerMin = Z(c.Min!.Value),
                WhiskerMax = Z(c.Max!.Value),
            });
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, numeric.Length).Select(i => (double)i).ToArray(), numeric.Select(c => c.Name).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Title("Feature distributions (median-centred, in units of IQR)");
        Save(plot, path, width, height);
    }

    private static void Save(Plot plot, string path, int width, int height)
    {
        var bytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
