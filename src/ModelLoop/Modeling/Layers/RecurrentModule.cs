using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelLoop.Modeling.Layers;

/// <summary>
/// Wraps TorchSharp's batch-first <see cref="LSTM"/> or <see cref="GRU"/> (which take and return hidden states)
/// as a tensor-to-tensor module: (B, T, F) → (B, T, units·dirs) or, for the last step only, (B, units·dirs).
/// </summary>
internal sealed class RecurrentModule : nn.Module<Tensor, Tensor>
{
    private readonly LSTM? lstm;
    private readonly GRU? gru;
    private readonly long _units;
    private readonly long _layers;
    private readonly long _directions;
    private readonly bool _returnSequences;

    private RecurrentModule(LSTM? lstm, GRU? gru, long units, long layers, long directions, bool returnSequences)
        : base(nameof(RecurrentModule))
    {
        this.lstm = lstm;
        this.gru = gru;
        _units = units;
        _layers = layers;
        _directions = directions;
        _returnSequences = returnSequences;
        RegisterComponents();
    }

    /// <summary>Checks the arguments and the (time, features) input, then builds an LSTM or a GRU.</summary>
    public static LayerBuild Build(Layer layer, string name, Shape input, bool isLstm,
        int units, bool returnSequences, int numLayers, bool bidirectional, double dropout)
    {
        var type = layer.GetType().Name;
        if (units < 1 || numLayers < 1)
            throw new ModelBuildException($"Layer '{name}' ({type}): Units and NumLayers must be positive; received Units={units}, NumLayers={numLayers}.");
        if (dropout < 0 || dropout >= 1)
            throw new ModelBuildException($"Layer '{name}' ({type}): Dropout must be in [0, 1); received Dropout={dropout}.");
        if (dropout > 0 && numLayers == 1)
            throw new ModelBuildException($"Layer '{name}' ({type}): Dropout applies between stacked layers, so it has no effect with NumLayers=1; received Dropout={dropout}, NumLayers=1. Set NumLayers to 2 or more, or add a Dropout layer after this one.");
        if (input.Rank != 2)
            throw new ModelBuildException($"Layer '{name}' ({type}) expects a sequence (time, features); received input shape {input}. " +
                "Put an Embedding before it for token ids, or a Reshape([T, F]) for flat inputs.");
        var directions = bidirectional ? 2 : 1;
        var module = isLstm
            ? new RecurrentModule(nn.LSTM(input[1], units, numLayers, batchFirst: true, dropout: dropout, bidirectional: bidirectional), null,
                units, numLayers, directions, returnSequences)
            : new RecurrentModule(null, nn.GRU(input[1], units, numLayers, batchFirst: true, dropout: dropout, bidirectional: bidirectional),
                units, numLayers, directions, returnSequences);
        var output = returnSequences ? new Shape(input[0], units * directions) : new Shape(units * directions);
        return new(module, output);
    }

    public override Tensor forward(Tensor input)
    {
        // input (B, T, F). Initial states are made here, not by TorchSharp, so they are disposed even outside a scope.
        var batch = input.shape[0];
        using var h0 = zeros(_layers * _directions, batch, _units, dtype: input.dtype, device: input.device); // (layers·dirs, B, units)
        Tensor sequence, hN;
        if (lstm is not null)
        {
            using var c0 = zeros(_layers * _directions, batch, _units, dtype: input.dtype, device: input.device);
            Tensor cN;
            (sequence, hN, cN) = lstm.forward(input, (h0, c0));
            cN.Dispose();
        }
        else
        {
            (sequence, hN) = gru!.forward(input, h0);
        }
        // sequence (B, T, units·dirs); hN (layers·dirs, B, units)
        if (_returnSequences)
        {
            hN.Dispose();
            return sequence;
        }
        sequence.Dispose();
        // The final state of each direction of the top layer: for the forward direction the output at the last
        // step; for the backward one its state after reading the whole sequence (output at step 0), as in Keras.
        using (hN)
        using (var top = hN.narrow(0, (_layers - 1) * _directions, _directions)) // (dirs, B, units)
        using (var batchFirst = top.transpose(0, 1))                              // (B, dirs, units)
            return batchFirst.reshape(batch, _directions * _units);              // (B, dirs·units)
    }
}
