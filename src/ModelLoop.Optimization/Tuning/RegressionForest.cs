namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// A small random forest of regression trees (bootstrap rows, exhaustive best splits by squared error), the surrogate
/// fANOVA decomposes. Written here rather than taken from ML.NET's FastForest: that one bins features into histograms
/// behind an IDataView pipeline and does not expose split boxes simply, and pulling ML.NET into this assembly for a
/// forest over a few hundred trials of a handful of parameters is not worth it; no other maintained .NET random forest
/// is on the package feed.
/// </summary>
internal sealed class RegressionForest
{
    /// <summary>A tree node: a split (feature, threshold, children) or a leaf (value).</summary>
    internal sealed record Node(int Feature, double Threshold, Node? Left, Node? Right, double Value)
    {
        public bool IsLeaf => Left is null;
    }

    private RegressionForest(IReadOnlyList<Node> trees) => Trees = trees;

    public IReadOnlyList<Node> Trees { get; }

    /// <param name="x">Rows of features in [0, 1] (n × d).</param>
    /// <param name="y">Targets (n).</param>
    public static RegressionForest Fit(double[][] x, double[] y, int trees, int seed, int maxDepth = 64, int minSamplesSplit = 2)
    {
        var random = new Random(seed);
        var fitted = new List<Node>(trees);
        for (var t = 0; t < trees; t++)
        {
            var rows = Enumerable.Range(0, y.Length).Select(_ => random.Next(y.Length)).ToArray();
            fitted.Add(Grow(x, y, rows, 0, maxDepth, minSamplesSplit));
        }
        return new RegressionForest(fitted);
    }

    public double Predict(double[] row) => Trees.Average(tree =>
    {
        var node = tree;
        while (!node.IsLeaf)
            node = row[node.Feature] <= node.Threshold ? node.Left! : node.Right!;
        return node.Value;
    });

    private static Node Grow(double[][] x, double[] y, int[] rows, int depth, int maxDepth, int minSamplesSplit)
    {
        var mean = rows.Average(r => y[r]);
        if (rows.Length < minSamplesSplit || depth >= maxDepth || rows.All(r => y[r] == y[rows[0]]))
            return new Node(-1, 0, null, null, mean);
        var (bestFeature, bestThreshold, bestScore) = (-1, 0.0, double.PositiveInfinity);
        var features = x[0].Length;
        for (var f = 0; f < features; f++)
        {
            var sorted = rows.OrderBy(r => x[r][f]).ToArray();
            // Running sums give each split's squared error in O(1): SSE = Σy² − (Σy)²/n on each side.
            double leftSum = 0, leftSquares = 0;
            double totalSum = sorted.Sum(r => y[r]), totalSquares = sorted.Sum(r => y[r] * y[r]);
            for (var i = 0; i < sorted.Length - 1; i++)
            {
                var v = y[sorted[i]];
                leftSum += v;
                leftSquares += v * v;
                var (a, b) = (x[sorted[i]][f], x[sorted[i + 1]][f]);
                if (a == b)
                    continue;
                var nl = i + 1;
                var nr = sorted.Length - nl;
                var score = leftSquares - leftSum * leftSum / nl + (totalSquares - leftSquares) - (totalSum - leftSum) * (totalSum - leftSum) / nr;
                if (score < bestScore)
                    (bestFeature, bestThreshold, bestScore) = (f, 0.5 * (a + b), score);
            }
        }
        if (bestFeature < 0)
            return new Node(-1, 0, null, null, mean);
        var left = rows.Where(r => x[r][bestFeature] <= bestThreshold).ToArray();
        var right = rows.Where(r => x[r][bestFeature] > bestThreshold).ToArray();
        return new Node(bestFeature, bestThreshold, Grow(x, y, left, depth + 1, maxDepth, minSamplesSplit), Grow(x, y, right, depth + 1, maxDepth, minSamplesSplit), mean);
    }
}
