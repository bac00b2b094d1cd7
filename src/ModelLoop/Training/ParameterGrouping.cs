using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>
/// Decides, before the first step, which parameters train and in which optimizer group: applies
/// <see cref="CompileOptions.Trainable"/> to requires_grad, then gives each trainable parameter to the first
/// <see cref="CompileOptions.ParameterGroups"/> entry that matches its name, the rest to the default group.
/// </summary>
internal static class ParameterGrouping
{
    public const string DefaultName = "default";

    public static IReadOnlyList<OptimizerGroup> Build(nn.Module network, CompileOptions compiled)
    {
        var named = network.named_parameters().ToList();
        // Decided and checked before requires_grad changes, so a refused configuration leaves the model as it was.
        var training = named.Where(p => compiled.Trainable?.Invoke(p.name) ?? p.parameter.requires_grad).ToList();
        if (training.Count == 0)
            throw new ArgumentException(
                $"No parameter of the model trains: {(compiled.Trainable is null ? "every parameter has requires_grad = false" : "CompileOptions.Trainable matched none")} " +
                $"of {Names(named)}. Make CompileOptions.Trainable return true for the parameters to train (or leave it null).");

        var specs = compiled.ParameterGroups;
        Validate(specs);
        var members = specs.Select(_ => new List<(string, Parameter)>()).ToArray();
        var rest = new List<(string, Parameter)>();
        foreach (var (name, parameter) in training)
        {
            var index = -1;
            for (var i = 0; i < specs.Count && index < 0; i++)
                index = specs[i].Matches(name) ? i : -1;
            (index >= 0 ? members[index] : rest).Add((name, parameter));
        }

        for (var i = 0; i < specs.Count; i++)
        {
            if (members[i].Count == 0)
                throw new ArgumentException(
                    $"ParameterGroup '{specs[i].Name}' matches none of the trainable parameters ({Names(training)}). " +
                    "Check its Matches predicate against these names, or remove the group.");
        }
        if (compiled.Trainable is not null)
        {
            var trains = training.Select(p => p.name).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, parameter) in named)
                parameter.requires_grad = trains.Contains(name);
        }

        var weightDecay = compiled.Optimizer.WeightDecay;
        var groups = new List<OptimizerGroup>();
        if (rest.Count > 0)
            groups.Add(new OptimizerGroup(DefaultName, rest, 1, weightDecay));
        for (var i = 0; i < specs.Count; i++)
            groups.Add(new OptimizerGroup(specs[i].Name, members[i], specs[i].LearningRateScale, specs[i].WeightDecay ?? weightDecay));
        return compiled.Optimizer.DecayMatricesOnly ? SplitVectors(groups) : groups;
    }

    /// <summary>
    /// <see cref="OptimizerOptions.DecayMatricesOnly"/>: each decaying group's parameters of fewer than two dimensions
    /// (biases, norm scales and shifts) move to a group "NAME.no_decay" with the same rate scale and no decay.
    /// </summary>
    private static List<OptimizerGroup> SplitVectors(List<OptimizerGroup> groups)
    {
        var split = new List<OptimizerGroup>();
        foreach (var group in groups)
        {
            var vectors = group.WeightDecay > 0 ? group.Parameters.Where(p => p.Parameter.dim() < 2).ToList() : [];
            var matrices = group.Parameters.Where(p => !vectors.Contains(p)).ToList();
            if (matrices.Count > 0)
                split.Add(vectors.Count == 0 ? group : new OptimizerGroup(group.Name, matrices, group.LearningRateScale, group.WeightDecay));
            if (vectors.Count > 0)
                split.Add(new OptimizerGroup(group.Name + NoDecaySuffix, vectors, group.LearningRateScale, 0));
        }
        return split;
    }

    /// <summary>The suffix of the groups <see cref="OptimizerOptions.DecayMatricesOnly"/> makes.</summary>
    public const string NoDecaySuffix = ".no_decay";

    private static void Validate(IReadOnlyList<ParameterGroup> specs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            if (spec is null || string.IsNullOrWhiteSpace(spec.Name) || spec.Matches is null)
                throw new ArgumentException("Every CompileOptions.ParameterGroups entry needs a Name and a Matches predicate; received a null entry, an empty name or a null predicate.");
            if (spec.Name == DefaultName || !seen.Add(spec.Name))
                throw new ArgumentException($"ParameterGroup names must be unique and not '{DefaultName}' (the parameters no group claims); received '{spec.Name}' twice or as '{DefaultName}'. Rename the group.");
            if (!(spec.LearningRateScale > 0) || double.IsInfinity(spec.LearningRateScale))
                throw new ArgumentException($"ParameterGroup '{spec.Name}' needs a positive finite LearningRateScale; received {spec.LearningRateScale}. Use e.g. 0.1 for a layer that should move ten times slower; freeze it with CompileOptions.Trainable instead of a scale of 0.");
            if (spec.WeightDecay is { } decay && (!(decay >= 0) || double.IsInfinity(decay)))
                throw new ArgumentException($"ParameterGroup '{spec.Name}' needs a WeightDecay ≥ 0 (or null for the optimizer's); received {decay}.");
        }
    }

    private static string Names(IEnumerable<(string name, Parameter parameter)> parameters)
    {
        var names = parameters.Select(p => p.name).ToList();
        return names.Count <= 12 ? string.Join(", ", names) : string.Join(", ", names.Take(12)) + $", … ({names.Count} in all)";
    }
}
