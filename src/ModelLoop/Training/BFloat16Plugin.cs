using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>
/// bfloat16 mixed precision as a step plugin: a bfloat16 copy of the network runs forward and backward, its
/// gradients are added to the float32 parameters (which may hold gradients of their own, e.g. an L1/L2 penalty),
/// the optimizer updates the float32 parameters, and the copy takes the new weights before its next forward pass.
/// <c>FitOptions.Precision = BFloat16</c> adds one as the innermost plugin; list one in
/// <see cref="FitOptions.Plugins"/> yourself to place it elsewhere. A plugin listed after it has its
/// <see cref="StepPlugin.Forward"/> skipped: this plugin runs the copy instead of the rest of the chain.
/// </summary>
public sealed class BFloat16Plugin : StepPlugin
{
    private BFloat16Shadow? _shadow;
    private bool _weightsChanged;

    /// <summary>Makes the bfloat16 copy from the model as it is now: after a resume, from the restored weights and statistics.</summary>
    public override void OnTrainBegin(StepContext context)
    {
        _shadow?.Dispose();
        _shadow = new BFloat16Shadow(context.Model);
        _weightsChanged = false;
    }

    public override void OnTrainEnd(StepContext context)
    {
        _shadow?.Dispose();
        _shadow = null;
    }

    public override Tensor Forward(StepContext context, Tensor input, Func<Tensor, Tensor> next)
    {
        var shadow = Shadow();
        // Copied here rather than right after the step, so plugins that change the weights after the step
        // (pruning masks) are seen whatever their place in the list.
        if (_weightsChanged)
        {
            shadow.CopyWeightsFromMaster();
            _weightsChanged = false;
        }
        return shadow.Forward(input);
    }

    public override void OnAfterBackward(StepContext context) => Shadow().AddGradientsToMaster();

    public override void OnAfterOptimizerStep(StepContext context)
    {
        Shadow().CopyBuffersToMaster();
        _weightsChanged = true;
    }

    private BFloat16Shadow Shadow() =>
        _shadow ?? throw new InvalidOperationException("BFloat16Plugin was used outside Fit: its bfloat16 copy is made in OnTrainBegin. Pass it in FitOptions.Plugins.");
}
