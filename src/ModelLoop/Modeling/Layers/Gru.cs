namespace ModelLoop.Modeling.Layers;

/// <summary>
/// Gated recurrent unit over a sequence (time, features), batch-first. Returns the final state (units·dirs)
/// — for one direction, the output at the last time step — or, with <paramref name="ReturnSequences"/>, the
/// output at every step (time, units·dirs).
/// </summary>
/// <param name="Units">Size of the hidden state. Must be positive.</param>
/// <param name="ReturnSequences">Whether to return every time step's output. Defaults to false (the last only).</param>
/// <param name="NumLayers">Stacked GRU layers. Defaults to 1.</param>
/// <param name="Bidirectional">Whether to also read the sequence backwards, doubling the output features. Defaults to false.</param>
/// <param name="Dropout">Dropout between stacked layers, in [0, 1); needs NumLayers ≥ 2. Defaults to 0.</param>
public sealed record Gru(int Units, bool ReturnSequences = false, int NumLayers = 1, bool Bidirectional = false, double Dropout = 0) : Layer
{
    internal override LayerBuild Build(Shape input, string name) =>
        RecurrentModule.Build(this, name, input, isLstm: false, Units, ReturnSequences, NumLayers, Bidirectional, Dropout);
}
