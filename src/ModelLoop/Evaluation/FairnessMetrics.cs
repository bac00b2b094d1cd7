namespace ModelLoop.Evaluation;

/// <summary>Metrics sliced by a group column: per-group accuracy and recall, demographic parity and equalized odds differences.</summary>
public static class FairnessMetrics
{
    /// <param name="groups">The group of every sample (same order as the labels), e.g. the values of a "sex" column.</param>
    /// <param name="positiveClass">The favourable outcome whose rates are compared. Defaults to 1.</param>
    /// <param name="groupName">What the groups are, for reports. Defaults to "group".</param>
    public static FairnessReport Compute(IReadOnlyList<int> labels, IReadOnlyList<int> predicted, IReadOnlyList<string> groups, int positiveClass = 1, string groupName = "group")
    {
        ClassificationMetrics.CheckPair(labels, predicted);
        ClassificationMetrics.CheckPair(labels, groups);
        var rows = new List<GroupMetrics>();
        var warnings = new List<string>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => groups[i], StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            long n = 0, correct = 0, tp = 0, fn = 0, fp = 0, tn = 0;
            foreach (var i in group)
            {
                n++;
                if (labels[i] == predicted[i])
                    correct++;
                var (actual, chosen) = (labels[i] == positiveClass, predicted[i] == positiveClass);
                if (actual && chosen) tp++;
                else if (actual) fn++;
                else if (chosen) fp++;
                else tn++;
            }
            var recall = tp + fn == 0 ? double.NaN : (double)tp / (tp + fn);
            var fpr = fp + tn == 0 ? double.NaN : (double)fp / (fp + tn);
            if (double.IsNaN(recall))
                warnings.Add($"{groupName} '{group.Key}' has no sample of class {positiveClass}: its recall is undefined and left out of the equalized-odds difference.");
            if (double.IsNaN(fpr))
                warnings.Add($"{groupName} '{group.Key}' has only class-{positiveClass} samples: its false positive rate is undefined and left out of the equalized-odds difference.");
            rows.Add(new GroupMetrics(group.Key, n, (double)correct / n, recall, fpr, (double)(tp + fp) / n));
        }
        var demographicParity = Spread(rows.Select(r => r.SelectionRate));
        var equalizedOdds = Math.Max(Spread(rows.Select(r => r.Recall)), Spread(rows.Select(r => r.FalsePositiveRate)));
        return new FairnessReport(groupName, positiveClass, rows, demographicParity, equalizedOdds, warnings);
    }

    /// <summary>max − min of the defined values; 0 with fewer than two.</summary>
    private static double Spread(IEnumerable<double> values)
    {
        var defined = values.Where(v => !double.IsNaN(v)).ToArray();
        return defined.Length < 2 ? 0 : defined.Max() - defined.Min();
    }
}
