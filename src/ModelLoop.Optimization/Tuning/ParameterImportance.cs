namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// Which parameters mattered, as Optuna's default evaluator (fANOVA, Hutter et al. 2014): a random forest is fitted on
/// the complete trials (each parameter scaled to [0, 1], log parameters in log space, choices by index), and for each
/// tree the variance of each parameter's marginal (the prediction averaged over every other parameter — exact for a
/// tree's axis-aligned leaves) is taken as a share of the tree's total variance; shares are averaged over the trees and
/// normalized to sum 1. Only parameters present in every complete trial are scored (Optuna's intersection space), so a
/// conditional parameter gets no importance.
/// </summary>
public static class ParameterImportance
{
    /// <summary>Parameter path → importance (summing to 1), largest first; empty with fewer than 2 complete trials.</summary>
    /// <param name="trees">Trees in the forest. Defaults to 64 (Optuna's).</param>
    /// <param name="seed">Seeds the bootstrap. Defaults to 0.</param>
    public static IReadOnlyList<KeyValuePair<string, double>> Evaluate(SearchSpace space, IReadOnlyList<TrialRecord> trials, int trees = 64, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(trials);
        var complete = trials.Where(t => t.State == TrialState.Complete && t.Value is not null).ToList();
        var parameters = space.Parameters.Where(p => complete.All(t => t.Params.ContainsKey(p.Path))).ToList();
        if (complete.Count < 2 || parameters.Count == 0)
            return [];
        var x = complete.Select(t => parameters.Select(p => Scale(p.Distribution, t.Params[p.Path])).ToArray()).ToArray();
        var y = complete.Select(t => t.Value!.Value).ToArray();
        var forest = RegressionForest.Fit(x, y, trees, seed);
        var shares = new double[parameters.Count];
        foreach (var tree in forest.Trees)
        {
            var treeShares = MainEffects(tree, parameters.Count);
            for (var i = 0; i < shares.Length; i++)
                shares[i] += treeShares[i] / forest.Trees.Count;
        }
        var total = shares.Sum();
        return parameters.Select((p, i) => new KeyValuePair<string, double>(p.Path, total > 0 ? shares[i] / total : 1.0 / parameters.Count))
            .OrderByDescending(p => p.Value).ToList();
    }

    /// <summary>A value's position in [0, 1] of its range (log range for log parameters, index range for choices).</summary>
    internal static double Scale(ParameterDistribution d, System.Text.Json.Nodes.JsonNode? value)
    {
        var x = d.ToInternal(value) ?? 0;
        if (d.Kind == ParameterKind.Categorical)
            return d.Choices.Count == 1 ? 0.5 : x / (d.Choices.Count - 1);
        var domain = NumericDomain.Of(d);
        var (low, high) = d.Log ? (Math.Log(d.Low), Math.Log(d.High)) : (d.Low, d.High);
        return Math.Clamp((domain.Forward(x) - low) / (high - low), 0, 1);
    }

    /// <summary>
    /// Each feature's share of one tree's variance over the unit box: the tree is a sum of constant leaves on boxes, so the
    /// marginal of feature i is piecewise constant between the leaves' bounds on i, and its value on a piece is
    /// Σ leaf value × (leaf volume / leaf width on i) over the leaves whose i-range covers the piece.
    /// </summary>
    private static double[] MainEffects(RegressionForest.Node tree, int features)
    {
        var leaves = new List<(double[] Lower, double[] Upper, double Value)>();
        void Walk(RegressionForest.Node node, double[] lower, double[] upper)
        {
            if (node.IsLeaf)
            {
                leaves.Add((lower, upper, node.Value));
                return;
            }
            var leftUpper = (double[])upper.Clone();
            leftUpper[node.Feature] = Math.Min(upper[node.Feature], node.Threshold);
            var rightLower = (double[])lower.Clone();
            rightLower[node.Feature] = Math.Max(lower[node.Feature], node.Threshold);
            Walk(node.Left!, lower, leftUpper);
            Walk(node.Right!, rightLower, upper);
        }
        Walk(tree, new double[features], Enumerable.Repeat(1.0, features).ToArray());
        static double Volume(double[] lower, double[] upper) => lower.Select((l, i) => Math.Max(upper[i] - l, 0)).Aggregate(1.0, (a, b) => a * b);
        var mean = leaves.Sum(l => l.Value * Volume(l.Lower, l.Upper));
        var variance = leaves.Sum(l => Volume(l.Lower, l.Upper) * (l.Value - mean) * (l.Value - mean));
        var shares = new double[features];
        if (variance <= 1e-300)
            return shares;
        for (var i = 0; i < features; i++)
        {
            var cuts = leaves.SelectMany(l => new[] { l.Lower[i], l.Upper[i] }).Append(0).Append(1).Distinct().Order().ToArray();
            for (var c = 0; c < cuts.Length - 1; c++)
            {
                var (a, b) = (cuts[c], cuts[c + 1]);
                var middle = 0.5 * (a + b);
                var marginal = leaves.Where(l => l.Lower[i] <= middle && middle < l.Upper[i])
                    .Sum(l => l.Value * Volume(l.Lower, l.Upper) / (l.Upper[i] - l.Lower[i]));
                shares[i] += (b - a) * (marginal - mean) * (marginal - mean);
            }
            shares[i] /= variance;
        }
        return shares;
    }
}
