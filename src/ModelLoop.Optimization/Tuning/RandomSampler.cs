namespace ModelLoop.Optimization.Tuning;

/// <summary>Independent uniform draws (log-uniform for log parameters): the baseline every other sampler must beat.</summary>
public sealed class RandomSampler(long? seed = null) : Sampler(seed)
{
    protected override double SampleParameter(SearchParameter parameter, IReadOnlyList<TrialRecord> trials, StudyDirection direction, Random random) =>
        Uniform(parameter.Distribution, random);
}
