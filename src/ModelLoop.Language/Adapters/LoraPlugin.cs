using ModelLoop.Modeling;
using ModelLoop.Training;

namespace ModelLoop.Language.Adapters;

/// <summary>
/// The step plugin of a LoRA fine-tune. <see cref="Attach"/> applies an adapter to the model and decides what trains:
/// every base parameter gets requires_grad = false and every adapter parameter true, so the trainer — which builds its
/// optimizer from requires_grad when <c>CompileOptions.Trainable</c> is null — gives AdamW the adapters and nothing else.
/// Pass it in <c>FitOptions.Plugins</c> (or <c>TrainingJobOptions.Plugins</c>); everything else — schedule, clipping,
/// accumulation, checkpoints with the adapters' weights and AdamW state, exact resume — is the trainer's as for any run.
/// </summary>
/// <remarks>
/// <see cref="OnTrainBegin"/> refuses a run whose optimizer holds anything but the adapters (a <c>CompileOptions.Trainable</c>
/// or a config's <c>freeze</c> overrides requires_grad). <see cref="OnTrainEnd"/> — also when training ends with an
/// exception — merges the adapter into the weights when <see cref="MergeOnTrainEnd"/> (so the model the run evaluates and
/// saves is a plain model of the base's spec; merging checks the base's checksum, so a base that moved is caught), or
/// removes it otherwise; either way the base's requires_grad is restored and the <see cref="Adapter"/> keeps its trained
/// weights, to save alone. Not with bfloat16: its copy of the network is built from the spec, without the adapters.
/// </remarks>
public sealed class LoraPlugin : StepPlugin
{
    private readonly Model _model;
    private readonly Dictionary<string, bool> _requiresGrad;
    private LoraAttachment? _attachment;

    private LoraPlugin(Model model, LoraAdapter adapter, bool mergeOnTrainEnd)
    {
        _model = model;
        Adapter = adapter;
        MergeOnTrainEnd = mergeOnTrainEnd;
        _requiresGrad = model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.requires_grad);
        _attachment = adapter.ApplyTo(model);
        foreach (var (name, parameter) in model.Network.named_parameters())
            parameter.requires_grad = LoraAdapter.IsAdapterParameter(name);
    }

    /// <summary>The adapter being trained; the caller owns (disposes) it.</summary>
    public LoraAdapter Adapter { get; }

    /// <summary>Whether <see cref="OnTrainEnd"/> merges the adapter into the weights (true) or only removes it (false).</summary>
    public bool MergeOnTrainEnd { get; }

    /// <summary>
    /// Applies <paramref name="adapter"/> (made for <paramref name="model"/> with <see cref="LoraAdapter.Create"/>) and
    /// freezes the base; returns the plugin to train with.
    /// </summary>
    /// <param name="mergeOnTrainEnd">Merge the trained adapter into the weights when training ends. Defaults to true.</param>
    /// <exception cref="LoraBaseMismatchException">The model is not the adapter's base.</exception>
    public static LoraPlugin Attach(Model model, LoraAdapter adapter, bool mergeOnTrainEnd = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(adapter);
        return new LoraPlugin(model, adapter, mergeOnTrainEnd);
    }

    public override void OnTrainBegin(StepContext context)
    {
        var trained = context.TrainableParameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var strays = trained.Where(n => !LoraAdapter.IsAdapterParameter(n)).Order(StringComparer.Ordinal).ToList();
        var missing = _model.Network.named_parameters().Select(p => p.name).Where(n => LoraAdapter.IsAdapterParameter(n) && !trained.Contains(n)).ToList();
        if (strays.Count > 0 || missing.Count > 0)
            throw new ArgumentException(
                $"A LoRA fine-tune trains the adapters and nothing else, but the optimizer holds {(strays.Count > 0 ? $"base parameters ({string.Join(", ", strays.Take(6))}{(strays.Count > 6 ? ", …" : "")})" : "")}" +
                $"{(strays.Count > 0 && missing.Count > 0 ? " and " : "")}{(missing.Count > 0 ? $"not every adapter parameter (missing {string.Join(", ", missing.Take(6))})" : "")}. " +
                "CompileOptions.Trainable (a config's freeze) overrides what LoraPlugin.Attach froze: leave it null (remove freeze).");
    }

    public override void OnTrainEnd(StepContext context)
    {
        if (_attachment is null)
            return;
        try
        {
            if (MergeOnTrainEnd)
                Adapter.MergeInto(_model); // removes the adapter first, then checks the base's checksum
        }
        finally
        {
            _attachment.Dispose();
            _attachment = null;
            foreach (var (name, parameter) in _model.Network.named_parameters())
                parameter.requires_grad = _requiresGrad.GetValueOrDefault(name, true);
        }
    }
}
