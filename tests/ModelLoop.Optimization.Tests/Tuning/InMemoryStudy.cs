using System.Text.Json.Nodes;
using ModelLoop.Loop;
using ModelLoop.Optimization.Tuning;

namespace ModelLoop.Optimization.Tests.Tuning;

/// <summary>Runs a sampler on a synthetic objective with trials kept in memory (no storage), for sampler tests that need many trials.</summary>
internal static class InMemoryStudy
{
    public static readonly JsonObject BaseConfig = (JsonObject)new TrainingConfig().ToJsonNode();

    public static SearchSpace Space(string json) => SearchSpace.Parse(JsonNode.Parse(json));

    /// <summary>The trials of <paramref name="count"/> sequential trials, each complete with the objective's value.</summary>
    public static List<TrialRecord> Run(Sampler sampler, SearchSpace space, Func<IReadOnlyDictionary<string, JsonNode?>, double> objective, int count,
        StudyDirection direction = StudyDirection.Minimize)
    {
        var trials = new List<TrialRecord>();
        for (var n = 0; n < count; n++)
        {
            var values = sampler.Sample(space, trials, direction, n, BaseConfig);
            if (values is null)
                break;
            trials.Add(Complete(n, values, objective(values)));
        }
        return trials;
    }

    public static TrialRecord Complete(int number, IReadOnlyDictionary<string, JsonNode?> values, double? value, TrialState state = TrialState.Complete,
        IReadOnlyDictionary<int, double>? steps = null) => new()
    {
        Id = number + 1,
        Number = number,
        State = state,
        Params = values,
        Value = value,
        Intermediate = steps is null ? new SortedDictionary<int, double>() : new SortedDictionary<int, double>(steps.ToDictionary()),
        Worker = "test",
        Heartbeat = DateTimeOffset.UtcNow,
        Started = DateTimeOffset.UtcNow,
        Finished = DateTimeOffset.UtcNow,
    };

    public static double Number(IReadOnlyDictionary<string, JsonNode?> values, string path) => ParameterDistribution.AsNumber(values[path])!.Value;
}
