using ModelLoop.Serving.Batching;
using ModelLoop.Serving.Catalog;

namespace ModelLoop.Serving.Tests.Batching;

/// <summary>A request the model cannot compute fails alone; a request whose client left before its batch ran costs nothing.</summary>
public sealed class BatchIsolationTests
{
    private static ServableModel Servable(GatedBackend backend, int maxBatch = 16) =>
        new("sum", "1", backend, new InputSchema([2], Modeling.InputKind.Float, null), null,
            new BatchingOptions { MaxBatchSize = maxBatch, MaxDelay = TimeSpan.FromSeconds(5), QueueCapacity = 64 });

    [Fact]
    public async Task A_request_the_model_cannot_compute_fails_alone_and_names_its_item()
    {
        using var backend = new GatedBackend();
        var runner = new ModelRunner(Servable(backend, maxBatch: 5));
        // 1 + 2 + 2 = 5 items fill one batch at once (MaxBatchSize), so all three share a forward pass.
        runner.TryEnqueue([1f, 2f], 1, out var good);
        runner.TryEnqueue([3f, 4f, -1f, 0f], 2, out var bad);
        runner.TryEnqueue([5f, 6f, 7f, 8f], 2, out var other);

        var first = await good;
        var failure = await Assert.ThrowsAsync<ItemsFailedException>(() => bad);
        var second = await other;

        Assert.Equal(new[] { 3f }, first.Outputs);
        Assert.Equal(new[] { 11f, 15f }, second.Outputs);
        Assert.Equal(new[] { 1 }, failure.Items);
        Assert.True(failure.OthersSucceeded);
        Assert.Contains("index out of range", failure.InnerException!.Message);
        await runner.Retire();
    }

    [Fact]
    public async Task A_request_whose_client_left_before_its_batch_ran_is_never_computed()
    {
        using var backend = new GatedBackend(startOpen: false);
        var runner = new ModelRunner(Servable(backend, maxBatch: 1));
        runner.TryEnqueue([1f, 2f], 1, out var running);
        backend.Entered.Wait(TimeSpan.FromSeconds(10)); // the worker is inside the first forward pass
        using var client = new CancellationTokenSource();
        runner.TryEnqueue([3f, 4f], 1, out var abandoned, abandon: client.Token);

        await client.CancelAsync();
        backend.Gate.Set();

        var computed = await running;
        Assert.Equal(new[] { 3f }, computed.Outputs);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        await runner.Retire();
        Assert.Equal(1, backend.Forwards);
    }

    [Fact]
    public async Task A_request_whose_client_left_after_its_batch_started_still_gets_its_outputs()
    {
        using var backend = new GatedBackend(startOpen: false);
        var runner = new ModelRunner(Servable(backend, maxBatch: 1));
        using var client = new CancellationTokenSource();
        runner.TryEnqueue([1f, 2f], 1, out var outcome, abandon: client.Token);
        backend.Entered.Wait(TimeSpan.FromSeconds(10));

        await client.CancelAsync();
        backend.Gate.Set();

        var computed = await outcome; // computed, so the caller meters it
        Assert.Equal(new[] { 3f }, computed.Outputs);
        await runner.Retire();
    }
}
