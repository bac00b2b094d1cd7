using System.Globalization;
using System.Text.Json.Nodes;
using ModelLoop.Modeling;
using ModelLoop.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Optimization.Pruning;

/// <summary>
/// Unstructured magnitude pruning as a step plugin (Han et al. 2015; Zhu and Gupta 2017): masks zero the weights of
/// smallest magnitude, and training keeps them zero — masked gradients are zeroed after backward (so no optimizer
/// statistics build up on them) and the masks are applied again after each optimizer step (Adam's momentum or weight
/// decay would otherwise move pruned weights off zero). The masks and the sparsity reached are saved in checkpoints,
/// so a resumed run keeps its masks. With <see cref="PruningSchedule.Polynomial"/> the sparsity follows the cubic ramp
/// and the masks are recomputed every <see cref="PruningOptions.UpdateEvery"/> steps.
/// </summary>
/// <example><code>
/// var pruning = new MagnitudePruning(new PruningOptions { Sparsity = 0.9 });
/// model.Fit(train, new FitOptions { Epochs = 2, Plugins = [pruning] });
/// Console.WriteLine(SparsityReport.Measure(model));
/// </code></example>
public sealed class MagnitudePruning : StepPlugin
{
    private readonly PruningOptions _options;
    private IReadOnlyList<(string Name, Parameter Parameter)> _weights = [];
    private Dictionary<string, Tensor> _masks = [];

    /// <exception cref="ArgumentException">The options are out of range, or a polynomial schedule has no RampSteps.</exception>
    public MagnitudePruning(PruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        if (options.Structure != PruningStructure.Weights)
            throw new ArgumentException($"MagnitudePruning prunes single weights, but structure is {options.Structure}; use ChannelPruning.Prune for channels.", nameof(options));
        if (options.Schedule == PruningSchedule.Polynomial && options.RampSteps is null)
            throw new ArgumentException("A polynomial schedule needs rampSteps (the optimizer steps to reach the sparsity), e.g. half the fine-tuning steps; PruningJob sets it for you.", nameof(options));
    }

    /// <summary>The sparsity the masks hold now (the schedule's level at the last update).</summary>
    public double CurrentSparsity { get; private set; }

    /// <summary>Prunes a model once, in place, without training (the one-shot masks applied to the weights).</summary>
    public static SparsityReport Apply(Model model, PruningOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var weights = MagnitudeMasks.Prunable(model, options.Exclude);
        var masks = MagnitudeMasks.Compute(weights, options.Sparsity, options.Scope);
        try
        {
            ApplyMasks(weights, masks);
        }
        finally
        {
            foreach (var mask in masks.Values)
                mask.Dispose();
        }
        return SparsityReport.Measure(model, options.Exclude);
    }

    public override void OnTrainBegin(StepContext context)
    {
        _weights = MagnitudeMasks.Prunable(context.Model, _options.Exclude);
        Update(_options.SparsityAt(context.Step, _options.RampSteps ?? 1));
    }

    public override void OnAfterBackward(StepContext context)
    {
        foreach (var (name, weight) in _weights)
            weight.grad?.mul_(_masks[name]);
    }

    public override void OnAfterOptimizerStep(StepContext context)
    {
        var next = context.Step + 1;
        if (_options.Schedule == PruningSchedule.Polynomial && (next % _options.UpdateEvery == 0 || next == _options.RampSteps))
        {
            var level = _options.SparsityAt(next, _options.RampSteps!.Value);
            if (level > CurrentSparsity)
            {
                Update(level);
                return;
            }
        }
        ApplyMasks(_weights, _masks);
    }

    public override void OnTrainEnd(StepContext context) => Free();

    public override JsonNode? SaveState() => new JsonObject { ["sparsity"] = CurrentSparsity };

    public override void LoadState(JsonNode state) =>
        CurrentSparsity = state["sparsity"]?.GetValue<double>() ?? CurrentSparsity;

    public override IReadOnlyDictionary<string, Tensor>? SaveTensors() => _masks;

    public override void LoadTensors(IReadOnlyDictionary<string, Tensor> tensors)
    {
        var missing = _weights.Select(w => w.Name).Where(name => !tensors.ContainsKey(name)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"The checkpoint's pruning masks do not cover this model's prunable weights (missing: {string.Join(", ", missing)}). " +
                "Resume with the model and PruningOptions.Exclude the checkpoint was written with, or delete the checkpoint to start again.");
        Free();
        _masks = _weights.ToDictionary(w => w.Name, w => tensors[w.Name].to(w.Parameter.dtype, w.Parameter.device).DetachFromDisposeScope());
        foreach (var (name, tensor) in tensors)
            if (!ReferenceEquals(tensor, _masks.GetValueOrDefault(name)))
                tensor.Dispose();
        ApplyMasks(_weights, _masks);
    }

    /// <summary>Masks for <paramref name="sparsity"/> from the weights as they are, applied at once.</summary>
    private void Update(double sparsity)
    {
        var masks = MagnitudeMasks.Compute(_weights, sparsity, _options.Scope);
        Free();
        _masks = masks;
        CurrentSparsity = sparsity;
        ApplyMasks(_weights, _masks);
    }

    private static void ApplyMasks(IReadOnlyList<(string Name, Parameter Parameter)> weights, IReadOnlyDictionary<string, Tensor> masks)
    {
        using var _ = no_grad();
        foreach (var (name, weight) in weights)
            weight.mul_(masks[name]);
    }

    private void Free()
    {
        foreach (var mask in _masks.Values)
            mask.Dispose();
        _masks = [];
    }

    public override string ToString() =>
        $"magnitude pruning ({_options.Scope}, {_options.Schedule}) to {_options.Sparsity.ToString("P1", CultureInfo.InvariantCulture)}";
}
