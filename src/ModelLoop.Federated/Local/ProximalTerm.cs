using ModelLoop.Training;
using static TorchSharp.torch;

namespace ModelLoop.Federated.Local;

/// <summary>
/// FedProx's local objective (Li et al. 2020): the loss plus μ/2 · ‖w − w_global‖², which keeps a data owner's
/// weights near the round's global model on non-IID data. Added as its gradient, μ · (w − w_global), after backward —
/// the same update as differentiating the penalty, without growing the autograd graph.
/// </summary>
public sealed class ProximalTerm : StepPlugin
{
    private readonly double _mu;
    private List<Tensor> _anchors = [];

    /// <param name="mu">μ, the proximal weight; must be ≥ 0 (0 is plain FedAvg).</param>
    public ProximalTerm(double mu)
    {
        if (!(mu >= 0) || double.IsInfinity(mu))
            throw new ArgumentOutOfRangeException(nameof(mu), mu, $"The FedProx proximal weight mu must be a finite number ≥ 0; received {mu}. Typical values are 0.001–1 (Li et al. 2020 use 0.01).");
        _mu = mu;
    }

    public double Mu => _mu;

    /// <summary>Copies the starting (global) weights: the anchor of the proximal term.</summary>
    public override void OnTrainBegin(StepContext context)
    {
        FreeAnchors();
        using var _ = no_grad();
        _anchors = context.TrainableParameters.Select(p => p.Parameter.detach().clone().DetachFromDisposeScope()).ToList();
    }

    /// <summary>
    /// Adds μ (w − w_global) to each gradient. With gradient accumulation each batch adds its share
    /// (÷ <see cref="StepContext.BatchesInStep"/>), so the step's gradient holds the term once, as it holds the loss's mean.
    /// </summary>
    public override void OnAfterBackward(StepContext context)
    {
        if (_mu == 0)
            return;
        using var _ = no_grad();
        var scale = _mu / context.BatchesInStep;
        var i = 0;
        foreach (var (_, parameter) in context.TrainableParameters)
        {
            var anchor = _anchors[i++];
            if (parameter.grad is { } grad)
                grad.add_(parameter - anchor, alpha: scale);
        }
    }

    public override void OnTrainEnd(StepContext context) => FreeAnchors();

    private void FreeAnchors()
    {
        foreach (var anchor in _anchors)
            anchor.Dispose();
        _anchors = [];
    }
}
