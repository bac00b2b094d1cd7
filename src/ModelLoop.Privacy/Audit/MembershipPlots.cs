using System.Globalization;
using ScottPlot;

namespace ModelLoop.Privacy.Audit;

/// <summary>The audit's ROC curves as PNG bytes (ScottPlot, the report's plot size): linear axes, and log-log axes for the low-FPR regime.</summary>
internal static class MembershipPlots
{
    private const int Width = 600, Height = 420;

    /// <summary>One curve per attack with its AUC, and the chance diagonal.</summary>
    public static byte[] Roc(MembershipAuditResult result, bool logScale)
    {
        var plot = new Plot();
        foreach (var attack in result.Attacks)
        {
            var (x, y) = (attack.Roc.FalsePositiveRate, attack.Roc.TruePositiveRate);
            if (logScale)
            {
                // log10 of the rates; points at 0 have no logarithm and are left out.
                var kept = Enumerable.Range(0, x.Length).Where(i => x[i] > 0 && y[i] > 0).ToArray();
                (x, y) = (kept.Select(i => Math.Log10(x[i])).ToArray(), kept.Select(i => Math.Log10(y[i])).ToArray());
            }
            var line = plot.Add.Scatter(x, y);
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"{Name(attack.Attack)} (AUC {attack.Auc:0.000}, TPR@1% {attack.TprAt1PercentFpr:0.000})");
        }
        var low = logScale ? Math.Log10(1.0 / Math.Max(2, result.NonMembers)) : 0;
        var chance = plot.Add.Line(low, low, logScale ? 0 : 1, logScale ? 0 : 1);
        chance.LinePattern = LinePattern.Dashed;
        chance.Color = Colors.Gray;
        if (logScale)
        {
            foreach (var axis in new ScottPlot.IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
                axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
                {
                    MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                    IntegerTicksOnly = true,
                    LabelFormatter = v => Math.Pow(10, v).ToString("G3", CultureInfo.InvariantCulture),
                };
            plot.Axes.SetLimits(low, 0, low, 0.02);
        }
        else
            plot.Axes.SetLimits(0, 1, 0, 1.02);
        plot.Title(logScale ? "Membership inference ROC (log-log)" : "Membership inference ROC");
        plot.XLabel("false positive rate (non-members called members)");
        plot.YLabel("true positive rate (members found)");
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    public static string Name(MembershipAttack attack) => attack switch
    {
        MembershipAttack.LossThreshold => "loss threshold",
        MembershipAttack.LikelihoodRatio => "LiRA",
        _ => attack.ToString(),
    };
}
