namespace ModelLoop.Language.Adapters;

/// <summary>
/// An adapter applied unmerged to a model (<see cref="LoraAdapter.ApplyTo"/>): while it lasts, the model's targeted
/// projections add the adapter's low-rank update. Disposing it removes the adapter again and leaves the base exactly
/// as it was, so one base can take several adapters in turn.
/// </summary>
public sealed class LoraAttachment : IDisposable
{
    private readonly LoraAdapter _adapter;
    private bool _disposed;

    internal LoraAttachment(LoraAdapter adapter) => _adapter = adapter;

    /// <summary>The adapter this attachment applies.</summary>
    public LoraAdapter Adapter => _adapter;

    /// <summary>Removes the adapter from the model (hooks and parameters); the base weights are untouched.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _adapter.Detach();
    }
}
