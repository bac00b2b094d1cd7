using ModelLoop.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>
/// One training step, in the order <see cref="StepPlugin"/> documents: forward through the plugins, loss, L1/L2
/// penalty, backward (the loss divided by the batches in the step, for gradient accumulation), then — when the step's
/// batches are all in — clipping and the optimizer update. The trainer owns the loop and the dispose scope of each batch.
/// </summary>
internal sealed class TrainingStep
{
    private readonly CompileOptions _compiled;
    private readonly TorchSharp.Modules.OptimizerHelper _optimizer;
    private readonly IReadOnlyList<StepPlugin> _plugins;
    private readonly Func<Tensor, Tensor> _forward;
    private readonly IReadOnlyList<Tensor> _regularized;
    private readonly IReadOnlyList<TorchSharp.Modules.Parameter> _trainable;

    public TrainingStep(Model model, CompileOptions compiled, TorchSharp.Modules.OptimizerHelper optimizer, StepContext context, IReadOnlyList<StepPlugin> plugins)
    {
        _compiled = compiled;
        _optimizer = optimizer;
        _plugins = plugins;
        Context = context;
        _trainable = context.TrainableParameters.Select(p => p.Parameter).ToList();
        _regularized = context.TrainableParameters
            .Where(p => p.Name.EndsWith("weight", StringComparison.Ordinal) && p.Parameter.dim() > 1)
            .Select(p => (Tensor)p.Parameter).ToList();
        // The first plugin is the outermost: it sees the input first and the output last.
        var network = model.Network;
        Func<Tensor, Tensor> forward = network.forward;
        for (var i = plugins.Count - 1; i >= 0; i--)
        {
            var (plugin, next) = (plugins[i], forward);
            forward = x => plugin.Forward(context, x, next);
        }
        _forward = forward;
    }

    public StepContext Context { get; }

    public void Begin()
    {
        foreach (var plugin in _plugins)
            plugin.OnTrainBegin(Context);
    }

    /// <summary>Runs every plugin's <see cref="StepPlugin.OnTrainEnd"/>, innermost first, even if one throws; the first error is rethrown.</summary>
    public void End()
    {
        Exception? first = null;
        for (var i = _plugins.Count - 1; i >= 0; i--)
        {
            try
            {
                _plugins[i].OnTrainEnd(Context);
            }
            catch (Exception e)
            {
                first ??= e;
            }
        }
        if (first is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
    }

    public void ZeroGradients() => _optimizer.zero_grad();

    /// <summary>Forward and backward of one batch; its gradients add to those already on the parameters. Returns the output and the compiled loss.</summary>
    public (Tensor Output, float Loss) Accumulate(Tensor x, Tensor y)
    {
        Context.Targets = y;
        var output = _forward(x);
        var loss = _compiled.Loss.Compute(output, y);
        var lossValue = loss.item<float>();
        if (!float.IsFinite(lossValue))
            throw new TrainingDivergedException(
                $"The loss became {lossValue} at epoch {Context.Epoch + 1}, batch {Context.Batch + 1}. Training stopped; weights from the last finished epoch are in the checkpoint, if one was set. " +
                "What to do: lower the learning rate (e.g. ÷10), set CompileOptions.ClipGradientNorm (e.g. 1.0), and check the inputs for NaN/∞ or unscaled values.");
        if ((_compiled.L1 > 0 || _compiled.L2 > 0) && _regularized.Count > 0)
            loss = loss + Penalty(_regularized, _compiled.L1, _compiled.L2);
        for (var i = _plugins.Count - 1; i >= 0; i--)
            loss = _plugins[i].OnAfterForward(Context, output, loss);
        if (Context.BatchesInStep > 1)
            loss = loss / Context.BatchesInStep;
        loss.backward();
        for (var i = _plugins.Count - 1; i >= 0; i--)
            _plugins[i].OnAfterBackward(Context);
        Context.Targets = null;
        return (output, lossValue);
    }

    /// <summary>Clips the accumulated gradients as compiled and updates the weights.</summary>
    public void Update()
    {
        foreach (var plugin in _plugins)
            plugin.OnBeforeOptimizerStep(Context);
        if (_compiled.ClipGradientValue is { } clipValue)
            nn.utils.clip_grad_value_(_trainable, clipValue);
        if (_compiled.ClipGradientNorm is { } clipNorm)
            nn.utils.clip_grad_norm_(_trainable, clipNorm);
        _optimizer.step();
        for (var i = _plugins.Count - 1; i >= 0; i--)
            _plugins[i].OnAfterOptimizerStep(Context);
    }

    private static Tensor Penalty(IReadOnlyList<Tensor> weights, double l1, double l2)
    {
        var total = zeros(1, device: weights[0].device);
        foreach (var w in weights)
        {
            if (l1 > 0)
                total = total + w.abs().sum() * l1;
            if (l2 > 0)
                total = total + w.square().sum() * l2;
        }
        return total.squeeze();
    }
}
