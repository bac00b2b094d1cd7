using System.Text.Json.Nodes;

namespace ModelLoop.Optimization.Tuning;

/// <summary>
/// Chooses a trial's values from the trials so far. Seeded: trial number <c>n</c> draws from a generator seeded by
/// (seed, n), so a study's values do not depend on which worker ran which trial or on a restart in between.
/// Univariate samplers override <see cref="SampleParameter"/>, called per parameter whose conditions hold, in file order.
/// </summary>
public abstract class Sampler
{
    protected Sampler(long? seed) => Seed = seed ?? Random.Shared.NextInt64(1, int.MaxValue);

    /// <summary>The seed in use (the one given, else a random one).</summary>
    public long Seed { get; }

    /// <summary>Refuses a space this sampler cannot search, before any trial runs.</summary>
    /// <exception cref="ArgumentException">The message names the parameter and what to change.</exception>
    public virtual void Check(SearchSpace space) { }

    /// <summary>
    /// The values of trial <paramref name="number"/> (field path → JSON value, only parameters whose conditions hold),
    /// or null when the sampler has nothing left to try.
    /// </summary>
    /// <param name="trials">Every trial of the study so far, any state, with its intermediate values.</param>
    /// <param name="baseConfig">The base config's JSON, for conditions on fields the space does not sample.</param>
    public virtual IReadOnlyDictionary<string, JsonNode?>? Sample(SearchSpace space, IReadOnlyList<TrialRecord> trials, StudyDirection direction, int number, JsonObject baseConfig)
    {
        ArgumentNullException.ThrowIfNull(space);
        var random = RandomFor(number);
        var values = new Dictionary<string, JsonNode?>();
        foreach (var parameter in space.Parameters)
            if (parameter.IsActive(values, baseConfig))
                values[parameter.Path] = parameter.Distribution.ToValue(SampleParameter(parameter, trials, direction, random));
        return values;
    }

    /// <summary>One parameter's internal value (a number, or a choice index) for the next trial.</summary>
    protected abstract double SampleParameter(SearchParameter parameter, IReadOnlyList<TrialRecord> trials, StudyDirection direction, Random random);

    /// <summary>The generator of trial <paramref name="number"/>: a fixed mix of the seed and the number (not HashCode, which is randomized per process).</summary>
    protected Random RandomFor(int number) => new(unchecked((int)(Seed * 1_000_003L + number * 7_919L) ^ (int)(Seed >> 32)));

    /// <summary>A uniform draw: uniform in value (or in log value) for numbers, on the step grid when stepped, uniform over choices.</summary>
    internal static double Uniform(ParameterDistribution d, Random random)
    {
        if (d.Kind == ParameterKind.Categorical)
            return random.Next(d.Choices.Count);
        if (d.Log)
        {
            // Log ints are drawn over [low − ½, high + ½] in log space and rounded, so each end has its share.
            var (low, high) = d.Kind == ParameterKind.Int ? (Math.Log(d.Low - 0.5 > 0 ? d.Low - 0.5 : d.Low), Math.Log(d.High + 0.5)) : (Math.Log(d.Low), Math.Log(d.High));
            return d.Snap(Math.Exp(low + random.NextDouble() * (high - low)));
        }
        if (d.Spacing is { } step)
            return d.Low + random.Next((int)Math.Floor((d.High - d.Low) / step + 1e-9) + 1) * step;
        return d.Low + random.NextDouble() * (d.High - d.Low);
    }
}
