namespace ModelLoop.Serving.Batching;

/// <summary>
/// The model's forward pass threw for a request even when run without the other requests of its batch (which were
/// answered). <see cref="Items"/> are the request's item indices that fail on their own (empty when each item computes
/// alone but not all together); <see cref="OthersSucceeded"/> says whether the same model computed other items right
/// then (so the failure is these items', not the model's). The inner exception is the forward pass's, for the server log.
/// </summary>
internal sealed class ItemsFailedException(IReadOnlyList<int> items, bool othersSucceeded, Exception inner)
    : Exception($"The model could not compute item(s) {string.Join(", ", items)} of the request: {inner.Message}", inner)
{
    public IReadOnlyList<int> Items { get; } = items;
    public bool OthersSucceeded { get; } = othersSucceeded;
}
