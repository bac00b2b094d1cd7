using System.Text.Json.Nodes;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// Every combination of the space's values once, in a seeded shuffled order (as Optuna's GridSampler), skipping
/// combinations a trial already has; the study ends when the grid is done. Conditional parameters are left out of
/// combinations where their condition fails, so those combinations are counted once. Needs categorical, int or stepped
/// float parameters only.
/// </summary>
public sealed class GridSampler(long? seed = null) : Sampler(seed)
{
    /// <summary>The largest grid enumerated: 1,000,000 combinations.</summary>
    public const int MaxCombinations = 1_000_000;

    public override void Check(SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        double size = 1;
        foreach (var parameter in space.Parameters)
        {
            var grid = parameter.Distribution.GridValues()
                ?? throw new ArgumentException($"The grid sampler cannot enumerate '{parameter.Path}', a continuous float; give it a step (e.g. step: 0.1) or use --sampler tpe or random.");
            size *= grid.Count;
        }
        if (size > MaxCombinations)
            throw new ArgumentException($"The grid has {size:N0} combinations, over the {MaxCombinations:N0} a grid search may enumerate; use larger steps, fewer choices, or --sampler tpe.");
    }

    public override IReadOnlyDictionary<string, JsonNode?>? Sample(SearchSpace space, IReadOnlyList<TrialRecord> trials, StudyDirection direction, int number, JsonObject baseConfig)
    {
        Check(space);
        var done = trials.Where(t => !t.Abandoned).Select(t => Key(t.Params)).ToHashSet();
        var random = new Random(unchecked((int)Seed));
        var points = Combinations(space, baseConfig).ToList();
        // A seeded shuffle (the same order in every worker) so an interrupted grid still covers the space evenly.
        for (var i = points.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (points[i], points[j]) = (points[j], points[i]);
        }
        return points.FirstOrDefault(p => !done.Contains(Key(p)));
    }

    protected override double SampleParameter(SearchParameter parameter, IReadOnlyList<TrialRecord> trials, StudyDirection direction, Random random) =>
        throw new NotSupportedException("The grid sampler samples whole combinations.");

    /// <summary>The distinct combinations, in enumeration order, each holding only the parameters whose conditions hold.</summary>
    private static IEnumerable<Dictionary<string, JsonNode?>> Combinations(SearchSpace space, JsonObject baseConfig)
    {
        var grids = space.Parameters.Select(p => p.Distribution.GridValues()!).ToArray();
        var seen = new HashSet<string>();
        var index = new int[grids.Length];
        while (true)
        {
            var values = new Dictionary<string, JsonNode?>();
            for (var i = 0; i < grids.Length; i++)
            {
                var parameter = space.Parameters[i];
                if (parameter.IsActive(values, baseConfig))
                    values[parameter.Path] = parameter.Distribution.ToValue(grids[i][index[i]]);
            }
            if (seen.Add(Key(values)))
                yield return values;
            var k = grids.Length - 1;
            while (k >= 0 && ++index[k] == grids[k].Count)
                index[k--] = 0;
            if (k < 0)
                yield break;
        }
    }

    private static string Key(IReadOnlyDictionary<string, JsonNode?> values) =>
        string.Join("|", values.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value?.ToJsonString()}"));
}
