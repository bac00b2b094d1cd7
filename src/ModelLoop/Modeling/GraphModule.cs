using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Modeling;

/// <summary>
/// Runs a graph model: node i reads earlier nodes' outputs (0 is the model input). Each intermediate is
/// disposed right after its last reader, so a forward pass outside a dispose scope leaves only the output.
/// </summary>
internal sealed class GraphModule : nn.Module<Tensor, Tensor>
{
    /// <summary>One node: a layer (index into the registered modules) or a merge, and the nodes it reads.</summary>
    internal sealed record Step(int Module, Merge? Merge, int[] Inputs);

    private readonly nn.Module<Tensor, Tensor>[] _layers;
    private readonly Step[] _steps;
    private readonly int[] _lastUse; // for each value (0 = input), the last step reading it

    public GraphModule(IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Module)> modules, IReadOnlyList<Step> steps) : base(nameof(GraphModule))
    {
        foreach (var (name, module) in modules)
            register_module(name, module);
        _layers = modules.Select(m => m.Module).ToArray();
        _steps = steps.ToArray();
        // A value nobody reads (a dangling node in a hand-written spec) is freed right after the step making it.
        _lastUse = Enumerable.Range(-1, _steps.Length + 1).ToArray();
        for (var s = 0; s < _steps.Length; s++)
        {
            foreach (var i in _steps[s].Inputs)
                _lastUse[i] = s;
        }
    }

    public override Tensor forward(Tensor input) => Run(input, -1, out _);

    /// <summary>Forward that also returns the input of the last step with parameters (a single-input layer), flattened to (N, D).</summary>
    public (Tensor Outputs, Tensor Embedding) ForwardWithEmbedding(Tensor input)
    {
        var head = Array.FindLastIndex(_steps, s => s.Merge is null && s.Inputs.Length == 1 && _layers[s.Module].parameters().Any());
        if (head < 0)
            throw new InvalidOperationException("The graph has no single-input layer with parameters, so it has no penultimate representation.");
        var outputs = Run(input, head, out var embedding);
        return (outputs, embedding!);
    }

    // Runs the steps in order; when capture is a step index, returns that step's input flattened to (N, D) as well.
    private Tensor Run(Tensor input, int capture, out Tensor? captured)
    {
        captured = null;
        var values = new Tensor?[_steps.Length + 1];
        values[0] = input;
        for (var s = 0; s < _steps.Length; s++)
        {
            var step = _steps[s];
            var inputs = step.Inputs.Select(i => values[i]!).ToArray();
            if (s == capture)
                captured = inputs[0].flatten(1);
            values[s + 1] = step.Merge switch
            {
                null => _layers[step.Module].forward(inputs[0]),
                Merge.Add => inputs.Skip(1).Aggregate(inputs[0].alias(), (sum, next) => { using (sum) return sum + next; }),
                Merge.Multiply => inputs.Skip(1).Aggregate(inputs[0].alias(), (product, next) => { using (product) return product * next; }),
                Merge.Concatenate => cat(inputs, 1),
                _ => throw new InvalidOperationException($"Unknown merge {step.Merge}."),
            };
            // Free what no later step reads (never the caller's input, never the output).
            foreach (var i in step.Inputs.Distinct().Append(s + 1))
            {
                if (i != 0 && i != _steps.Length && _lastUse[i] == s && values[i] is not null)
                {
                    values[i]!.Dispose();
                    values[i] = null;
                }
            }
        }
        return values[^1]!;
    }
}
