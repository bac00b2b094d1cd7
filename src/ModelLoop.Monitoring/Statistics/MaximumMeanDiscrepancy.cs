namespace ModelLoop.Monitoring.Statistics;

/// <summary>
/// The kernel two-sample test of Gretton et al. (2012) on vectors (embeddings) with a Gaussian RBF kernel
/// k(x, y) = exp(−‖x − y‖² / (2σ²)), σ chosen by the median heuristic, and a seeded permutation test.
/// </summary>
public static class MaximumMeanDiscrepancy
{
    /// <summary>
    /// The unbiased estimate of MMD² between <paramref name="first"/> (m rows) and <paramref name="second"/> (n rows),
    /// 1/(m(m−1)) Σ_{i≠j} k(xᵢ, xⱼ) + 1/(n(n−1)) Σ_{i≠j} k(yᵢ, yⱼ) − 2/(mn) Σ k(xᵢ, yⱼ), with its p-value
    /// p = (1 + #{permutations with MMD² ≥ observed}) / (1 + permutations): each permutation re-splits the pooled rows
    /// into groups of m and n at random. The bandwidth σ is the median Euclidean distance between distinct pooled rows
    /// (1 when that median is 0, i.e. more than half the pairs coincide).
    /// </summary>
    /// <remarks>
    /// The pooled kernel matrix is computed once (O((m+n)² d)); a permutation then costs O(min(m, n)²), because with
    /// S the smaller group, Σ_SS k, the row sums and the total give the other two blocks' sums. Permutations are drawn
    /// from <see cref="Random"/>(<paramref name="seed"/>) so a result is reproducible, and evaluated in parallel.
    /// </remarks>
    /// <param name="first">Rows of the first sample; at least 2, all of one length.</param>
    /// <param name="second">Rows of the second sample; at least 2, of the same length as the first's.</param>
    /// <param name="permutations">How many permutations. 0 gives p-value 1 (no test).</param>
    /// <param name="seed">Seeds the permutations.</param>
    /// <exception cref="ArgumentException">Fewer than 2 rows, rows of different lengths, or a NaN or infinity.</exception>
    public static MaximumMeanDiscrepancyResult Test(IReadOnlyList<float[]> first, IReadOnlyList<float[]> second, int permutations = 1000, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permutations);
        int dimensions = CheckRows(first, nameof(first), expectedDimensions: null);
        CheckRows(second, nameof(second), dimensions);
        float[][] pooled = [.. first, .. second];
        int m = first.Count, n = pooled.Length;

        double[] squared = SquaredDistances(pooled, dimensions);
        double bandwidth = MedianBandwidth(squared);
        double gamma = 1.0 / (2 * bandwidth * bandwidth);
        var kernel = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            kernel[i * n + i] = 1.0;
            for (int j = i + 1; j < n; j++)
                kernel[i * n + j] = kernel[j * n + i] = Math.Exp(-gamma * squared[Pair(i, j, n)]);
        }
        var kernelSums = new KernelSums(kernel, n);

        // MMD² is symmetric in the two groups, so a split is given by its smaller group S (first or last in pooled order).
        int small = Math.Min(m, n - m);
        int[] observed = Enumerable.Range(m <= n - m ? 0 : m, small).ToArray();
        double statistic = kernelSums.Statistic(observed);

        var random = new Random(seed);
        var splits = new int[permutations][];
        var order = Enumerable.Range(0, n).ToArray();
        for (int p = 0; p < permutations; p++)
        {
            // Partial Fisher–Yates: the first `small` entries become a uniform random subset.
            for (int k = 0; k < small; k++)
            {
                int r = random.Next(k, n);
                (order[k], order[r]) = (order[r], order[k]);
            }
            splits[p] = order[..small];
        }
        int atLeast = 0;
        Parallel.For(0, permutations, () => 0, (p, _, count) =>
            kernelSums.Statistic(splits[p]) >= statistic ? count + 1 : count,
            count => Interlocked.Add(ref atLeast, count));
        return new MaximumMeanDiscrepancyResult(statistic, (1.0 + atLeast) / (1.0 + permutations), bandwidth, permutations);
    }

    /// <summary>The kernel matrix with its row sums and total, turning a subset's block sum into MMD².</summary>
    private sealed class KernelSums(double[] kernel, int n)
    {
        private readonly double[] rowSums = Enumerable.Range(0, n).Select(i => kernel.AsSpan(i * n, n).ToArray().Sum()).ToArray();
        private readonly double total = kernel.Sum();

        /// <summary>MMD² between the rows in <paramref name="subset"/> and all other rows.</summary>
        public double Statistic(int[] subset)
        {
            int s = subset.Length, rest = n - s;
            double within = 0, rows = 0;
            foreach (int i in subset)
            {
                rows += rowSums[i];
                int offset = i * n;
                foreach (int j in subset) within += kernel[offset + j];
            }
            // Σ over S×S, S̄×S̄ and S×S̄; the diagonal of an RBF kernel is 1, so Σ_{i≠j} = Σ − group size.
            double ss = within, restRest = total - 2 * rows + within, cross = rows - within;
            return (ss - s) / ((double)s * (s - 1)) + (restRest - rest) / ((double)rest * (rest - 1))
                   - 2 * cross / ((double)s * rest);
        }
    }

    /// <summary>‖xᵢ − xⱼ‖² for i &lt; j, packed (see <see cref="Pair"/>), in double precision.</summary>
    private static double[] SquaredDistances(float[][] rows, int dimensions)
    {
        int n = rows.Length;
        var result = new double[(long)n * (n - 1) / 2];
        Parallel.For(0, n, i =>
        {
            float[] x = rows[i];
            for (int j = i + 1; j < n; j++)
            {
                float[] y = rows[j];
                double sum = 0;
                for (int k = 0; k < dimensions; k++)
                {
                    double d = (double)x[k] - y[k];
                    sum += d * d;
                }
                result[Pair(i, j, n)] = sum;
            }
        });
        return result;
    }

    /// <summary>The index of pair (i, j), i &lt; j, in the packed upper triangle of an n × n matrix.</summary>
    private static long Pair(int i, int j, int n) => (long)i * (2L * n - i - 1) / 2 + (j - i - 1);

    /// <summary>σ = the median pairwise distance (NumPy's median: the mean of the two middle values for an even count).</summary>
    private static double MedianBandwidth(double[] squared)
    {
        double[] sorted = (double[])squared.Clone();
        Array.Sort(sorted);
        int count = sorted.Length;
        double median = count % 2 == 1
            ? Math.Sqrt(sorted[count / 2])
            : (Math.Sqrt(sorted[count / 2 - 1]) + Math.Sqrt(sorted[count / 2])) / 2;
        return median > 0 ? median : 1.0;
    }

    private static int CheckRows(IReadOnlyList<float[]> rows, string name, int? expectedDimensions)
    {
        ArgumentNullException.ThrowIfNull(rows, name);
        if (rows.Count < 2)
            throw new ArgumentException($"Expected at least 2 rows, received {rows.Count}. What to do: collect more embeddings before testing.", name);
        int dimensions = expectedDimensions ?? rows[0]?.Length ?? 0;
        if (dimensions == 0) throw new ArgumentException("Expected rows with at least one value, received an empty or null row at index 0.", name);
        for (int i = 0; i < rows.Count; i++)
        {
            float[] row = rows[i];
            if (row is null || row.Length != dimensions)
                throw new ArgumentException(
                    $"Expected every row to have {dimensions} values, received {row?.Length.ToString() ?? "null"} at row {i}. " +
                    "What to do: compare embeddings of the same model (the same layer width).", name);
            for (int k = 0; k < dimensions; k++)
                if (!float.IsFinite(row[k]))
                    throw new ArgumentException($"Expected finite values, received {row[k]} at row {i}, column {k}.", name);
        }
        return dimensions;
    }
}
