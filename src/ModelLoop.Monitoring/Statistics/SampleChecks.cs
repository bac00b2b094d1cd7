namespace ModelLoop.Monitoring.Statistics;

/// <summary>The argument checks every statistic shares, with errors that name the argument and what it held.</summary>
internal static class SampleChecks
{
    /// <summary>A sorted copy of a sample after checking that it is non-empty and finite.</summary>
    public static double[] SortedCopy(IReadOnlyList<double> sample, string name)
    {
        double[] copy = FiniteCopy(sample, name);
        Array.Sort(copy);
        return copy;
    }

    /// <summary>A copy of a sample after checking that it is non-empty and finite.</summary>
    public static double[] FiniteCopy(IReadOnlyList<double> sample, string name)
    {
        ArgumentNullException.ThrowIfNull(sample, name);
        if (sample.Count == 0)
            throw new ArgumentException($"Expected a non-empty sample, received 0 values. What to do: pass at least one value.", name);
        var copy = new double[sample.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            double value = sample[i];
            if (!double.IsFinite(value))
                throw new ArgumentException(
                    $"Expected finite values, received {value} at index {i}. What to do: drop or impute missing values before testing.", name);
            copy[i] = value;
        }
        return copy;
    }

    /// <summary>Checks that counts (or weights) are finite and non-negative and returns their sum.</summary>
    public static double NonNegativeTotal(IReadOnlyList<double> counts, string name)
    {
        ArgumentNullException.ThrowIfNull(counts, name);
        double total = 0;
        for (int i = 0; i < counts.Count; i++)
        {
            double c = counts[i];
            if (!double.IsFinite(c) || c < 0)
                throw new ArgumentException($"Expected finite non-negative counts, received {c} at index {i}.", name);
            total += c;
        }
        return total;
    }
}
