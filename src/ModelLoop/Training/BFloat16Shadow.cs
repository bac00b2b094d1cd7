using ModelLoop.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelLoop.Training;

/// <summary>
/// bfloat16 mixed precision without autocast (TorchSharp 0.107 has none): a second copy of the network in
/// bfloat16 runs forward and backward; its gradients are copied to the float32 master weights, which the
/// optimizer updates; the updated weights are copied back. Batch-norm running statistics are updated in the
/// shadow and copied into the master after every step, so checkpoints and evaluation see them. Used by
/// <see cref="BFloat16Plugin"/>.
/// </summary>
internal sealed class BFloat16Shadow : IDisposable
{
    private readonly Model _shadowModel;
    private readonly nn.Module<Tensor, Tensor> _shadow;
    private readonly (Tensor Master, Tensor Shadow)[] _parameters;
    private readonly (Tensor Master, Tensor Shadow)[] _buffers;

    public BFloat16Shadow(Model master)
    {
        // Building the copy initializes its (soon overwritten) weights from torch's global generator; keep the
        // generator where it was, or a run resumed from a checkpoint would draw different dropout masks.
        using (var rng = torch.random.get_rng_state())
        {
            _shadowModel = Model.FromSpec(master.ToSpec());
            _shadow = _shadowModel.Network; // built here, on first use
            torch.random.set_rng_state(rng);
        }
        _shadow.to(master.Device).to(ScalarType.BFloat16);
        _parameters = Pair(master.Network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), _shadow.named_parameters().Select(p => (p.name, (Tensor)p.parameter)));
        _buffers = Pair(master.Network.named_buffers(), _shadow.named_buffers());
        using var _ = no_grad();
        foreach (var (m, s) in _parameters.Concat(_buffers))
            s.copy_(m);
        // Frozen master parameters (CompileOptions.Trainable) stay frozen in the copy: no gradient is computed for them.
        foreach (var (m, s) in _parameters)
            s.requires_grad = m.requires_grad;
    }

    public Tensor Forward(Tensor input)
    {
        _shadow.train();
        // Token ids (an Embedding or Gpt first) stay integers: only floating inputs are cast.
        if (!input.is_floating_point())
        {
            using var logits = _shadow.forward(input);
            return logits.to(ScalarType.Float32);
        }
        using var x = input.to(ScalarType.BFloat16);
        using var y = _shadow.forward(x);
        return y.to(ScalarType.Float32);
    }

    /// <summary>
    /// Adds the shadow's gradients to the master's and clears the shadow's. Added, not assigned: the master may
    /// already hold gradients of its own (an L1/L2 penalty computed on the master weights) or of earlier
    /// micro-batches (gradient accumulation).
    /// </summary>
    public void AddGradientsToMaster()
    {
        foreach (var (master, shadow) in _parameters)
        {
            using var grad = shadow.grad;
            if (grad is null)
                continue;
            using var grad32 = grad.to(ScalarType.Float32);
            using var existing = master.grad;
            if (existing is null)
                master.grad = grad32; // the parameter keeps its own reference; disposing this handle does not free it
            else
                existing.add_(grad32);
            shadow.grad = null;
        }
    }

    public void CopyWeightsFromMaster()
    {
        using var _ = no_grad();
        foreach (var (master, shadow) in _parameters)
            shadow.copy_(master);
    }

    /// <summary>Running statistics are updated in the shadow: carries them into the master (exactly: they are small).</summary>
    public void CopyBuffersToMaster()
    {
        using var _ = no_grad();
        foreach (var (master, shadow) in _buffers)
            master.copy_(shadow);
    }

    public void Dispose() => _shadowModel.Dispose();

    private static (Tensor, Tensor)[] Pair(IEnumerable<(string name, Tensor tensor)> master, IEnumerable<(string name, Tensor tensor)> shadow)
    {
        var byName = shadow.ToDictionary(p => p.name, p => p.tensor);
        return master.Select(p => (p.tensor, byName[p.name])).ToArray();
    }
}
