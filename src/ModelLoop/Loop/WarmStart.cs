using ModelLoop.Modeling;

namespace ModelLoop.Loop;

/// <summary>
/// <see cref="TrainingConfig.InitFrom"/>: a run that starts from a trained package — its data goes through that
/// package's fitted pipeline (nothing is refitted, so inputs mean what they meant to the weights) and its network starts
/// from that package's weights. The one place that reads InitFrom; <see cref="TrainingJob"/> asks here.
/// </summary>
internal static class WarmStart
{
    /// <summary>The config's data: through the InitFrom package's pipeline when there is one, else fitted on the training part.</summary>
    public static LoadedData LoadData(TrainingConfig config, string? home)
    {
        if (config.InitFrom is not { } reference)
            return DataSource.Load(config.Data, config.Task);
        using var start = Resolve(reference, config, home);
        return ChampionChallenger.LoadFor(start.Package, config.Data);
    }

    /// <summary>
    /// The network the run trains: built from the config, with InitFrom loaded with that package's weights, or with
    /// TransferFrom's weights where name and shape fit (the report goes to <paramref name="log"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The package's architecture or pipeline differs from the run's; nothing was trained.</exception>
    public static Model Model(TrainingConfig config, LoadedData data, string? home, Action<string>? log = null)
    {
        var model = ConfigBuilders.Model(config.Model, data.Train.SampleShape, data.Outputs);
        if (config.TransferFrom is { } source)
            return Transfer(model, source, home, log);
        if (config.InitFrom is not { } reference)
            return model;
        try
        {
            using var start = Resolve(reference, config, home);
            var package = start.Package;
            if (package.Pipeline?.ToJson() != data.Pipeline?.ToJson())
                throw new ArgumentException($"initFrom '{reference}' reuses that model's fitted pipeline, but the data was prepared with another one. Load the data with the package's pipeline (TrainingJob.Run(config) does), or drop initFrom.");
            if (package.Spec.ToJson() != model.ToSpec().ToJson())
                throw new ArgumentException($"initFrom '{reference}' ({start.Description}) has another architecture than the config's model: it takes {package.Model.InputShape} with {package.Model.ParameterCount:N0} parameters " +
                    $"({string.Join(", ", package.Model.LayerSummaries.Select(l => l.Name))}); the config builds {model.InputShape} with {model.ParameterCount:N0} " +
                    $"({string.Join(", ", model.LayerSummaries.Select(l => l.Name))}). Fine-tuning needs the same architecture: copy the model section of that package's config, or drop initFrom to train from scratch.");
            model.Network.load_state_dict(package.Model.Network.state_dict());
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static Model Transfer(Model model, string reference, string? home, Action<string>? log)
    {
        try
        {
            using var source = ResolveTrainable(reference, home);
            var report = WeightTransfer.Load(model, source.Package.Model);
            if (report.Loaded.Count == 0)
                throw new ArgumentException($"transferFrom '{reference}' ({source.Description}) shares no parameter of the same name and shape with the config's model " +
                    $"(skipped: {string.Join(", ", report.Skipped.Select(s => $"{s.Name} {s.SourceShape} → {s.TargetShape}"))}; new: {string.Join(", ", report.New)}). " +
                    "Layers match by name (as model.Summary() shows them): keep the source's layers and names and change only the head.");
            log?.Invoke($"transferFrom {source.Description}: {report}");
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Resolves a reference to a package with trainable weights: an inference-only package (int8, run by ONNX Runtime) is
    /// followed up its lineage to the fp32 model it was made from — fine-tuning "production" when production is the int8
    /// variant starts from the weights the variant was quantized from, through the same pipeline.
    /// </summary>
    internal static ResolvedModel ResolveTrainable(string reference, string? home)
    {
        var resolved = ModelResolver.Resolve(reference, home);
        for (var hops = 0; resolved.Package.Model is InferenceOnlyModel; hops++)
        {
            var parent = resolved.Package.Lineage.ParentModel;
            var description = resolved.Description;
            resolved.Dispose();
            if (parent is null || hops == 4)
                throw new ArgumentException($"'{reference}' ({description}) runs in ONNX Runtime for inference only and its lineage names no trainable parent; fine-tune the fp32 model it was made from instead.");
            resolved = ModelResolver.Resolve(parent, home);
        }
        return resolved;
    }

    private static ResolvedModel Resolve(string reference, TrainingConfig config, string? home)
    {
        var start = ResolveTrainable(reference, home);
        if (start.Package.Task != config.Task)
        {
            start.Dispose();
            throw new ArgumentException($"initFrom '{reference}' is a {start.Package.Task} model, but the config trains {config.Task}; fine-tune a model of the same task.");
        }
        return start;
    }
}
