using ModelLoop.Modeling;
using static TorchSharp.torch;

namespace ModelLoop.Evaluation;

/// <summary>
/// Which input values a model's output for a class depends on: vanilla-gradient saliency and integrated
/// gradients (Sundararajan et al., 2017), computed with TorchSharp's autograd in evaluation mode. Results have
/// the inputs' shape (N, …) and live on the CPU; the caller disposes them.
/// </summary>
public static class Attribution
{
    /// <summary>|∂ output[target] / ∂ input| per input value: where a small change moves the class score most.</summary>
    public static Tensor Saliency(Model model, Tensor inputs, IReadOnlyList<long> targets)
    {
        using var scope = NewDisposeScope();
        return Gradient(model, inputs, targets).abs().cpu().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Integrated gradients: (x − baseline) · the mean gradient along the straight path from the baseline to x
    /// (midpoint rule with <paramref name="steps"/> points). The attributions sum to about output(x) − output(baseline)
    /// for the target class (exactly for a linear model): the completeness property.
    /// </summary>
    /// <param name="baseline">The "absence of signal" input, shape of one sample or of <paramref name="inputs"/>. Defaults to zeros (black image).</param>
    /// <param name="steps">Points on the path. Defaults to 32.</param>
    public static Tensor IntegratedGradients(Model model, Tensor inputs, IReadOnlyList<long> targets, int steps = 32, Tensor? baseline = null)
    {
        if (steps < 1)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "Integrated gradients needs at least 1 step; 32 to 64 is usual.");
        using var scope = NewDisposeScope();
        var x = inputs.to(ScalarType.Float32);
        var start = baseline is null ? zeros_like(x) : baseline.to(ScalarType.Float32).expand_as(x);
        var difference = x - start;
        var sum = zeros_like(x);
        for (var k = 0; k < steps; k++)
        {
            var alpha = (k + 0.5) / steps;
            sum += Gradient(model, start + difference * alpha, targets);
        }
        return (difference * sum / steps).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>∂ output[i, targets[i]] / ∂ input[i] for every sample i (samples are independent in evaluation mode).</summary>
    private static Tensor Gradient(Model model, Tensor inputs, IReadOnlyList<long> targets)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count != inputs.shape[0])
            throw new ArgumentException($"Expected one target class per input; received {targets.Count} targets for {inputs.shape[0]} inputs.", nameof(targets));
        var network = model.Network;
        var wasTraining = network.training;
        network.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var grad = enable_grad();
            var x = inputs.detach().to(ScalarType.Float32).to(model.Device).requires_grad_(true);
            var output = network.forward(x).reshape(x.shape[0], -1);
            var index = tensor(targets.ToArray(), device: model.Device).unsqueeze(1);
            // One output is P(class 1): the score of class 0 is 1 − p, whose gradient is −∂p.
            var selected = output.shape[1] == 1 ? output * (index * 2 - 1) : output.gather(1, index);
            var gradient = autograd.grad([selected.sum()], [x])[0];
            return gradient.detach().MoveToOuterDisposeScope();
        }
        finally
        {
            network.train(wasTraining);
        }
    }
}
